/** A workflow under a dot-folder (app/.well-known/agent/), as agent protocols place them: scanned and bundled like any other. */
export async function agentTask(task: string) {
  "use workflow";
  return await describeTask(task);
}

async function describeTask(task: string) {
  "use step";
  return `agent did ${task}`;
}
