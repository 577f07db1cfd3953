/** Whether the process `pid` is alive (on this machine), for telling a dead process's leftovers from work in flight. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as { code?: string } | null)?.code === "EPERM";
  }
}
