// Preloaded into the server process by bench/cpu-login.bench.ts (node --import): answers "cpu" on the IPC
// channel with this process's own CPU time (process.cpuUsage, all threads, user + system), so the bench
// measures what the server spends, not wall time and not the load generator.
if (process.send) {
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send({ cpu: u.user + u.system });
    }
  });
  // The IPC channel must not keep a stopping server alive.
  process.channel?.unref();
}
