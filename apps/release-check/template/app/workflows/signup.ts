import { createWebhook, sleep } from "hookline";

export async function signup(email: string) {
  "use workflow";
  const user = await createUser(email);
  const confirmation = createWebhook();
  await sendConfirmation(user.id, confirmation.url);
  const request = await confirmation;
  const { confirmed } = (await request.json()) as { confirmed: boolean };
  await sleep("10ms");
  return { userId: user.id, confirmed };
}

async function createUser(email: string) {
  "use step";
  return { id: `user_${email.split("@")[0]}` };
}

async function sendConfirmation(userId: string, url: string) {
  "use step";
  // A real app would email the link; the check reads it back from the run's waits.
  console.log(`confirm ${userId} at ${url}`);
}
