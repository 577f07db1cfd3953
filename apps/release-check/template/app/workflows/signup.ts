import { createWebhook, sleep } from "hookline";

export async function signup(email: string) {
  "use workflow";
  const user = await createUser(email); // a step: full Node.js, retried on failure
  const confirmation = createWebhook(); // a URL an outside service (or a person) can call
  await sendConfirmation(user.id, confirmation.url);
  const request = await confirmation; // suspended, at no cost, until the URL is called
  const { confirmed } = (await request.json()) as { confirmed: boolean };
  await sleep("1s"); // durable: sleep("1d") survives restarts and deploys
  return { userId: user.id, confirmed };
}

async function createUser(email: string) {
  "use step";
  return { id: `user_${email.split("@")[0]}` }; // your database insert goes here
}

async function sendConfirmation(userId: string, url: string) {
  "use step";
  console.log(`confirm ${userId} at ${url}`); // your mailer goes here
}
