// The anchor of bench_lifecycle --queue: Graphile Worker's whole lifecycle (add, fetch, run,
// complete) for N no-op jobs on the PostgreSQL that DATABASE_URL names, measured like Spool's:
// enqueue in batches of 1,000, then run until every job has completed.
//
//   NO_LOG_SUCCESS=1 node lifecycle.mjs N CONCURRENCY local|plain
// Prints one line: "enqueue X jobs/s  run Y jobs/s  whole Z jobs/s".
import { makeWorkerUtils, run } from "graphile-worker";

const [n, concurrency] = process.argv.slice(2, 4).map(Number);
const local = process.argv[4] === "local";
const connectionString = process.env.DATABASE_URL;
const schema = `gw_bench_${process.pid}`;

const preset = {
  worker: {
    connectionString,
    schema,
    concurrentJobs: concurrency,
    maxPoolSize: concurrency + 2,
    pollInterval: 100,
    // The fast mode: a local queue of 500 jobs and completions committed at once.
    ...(local ? { localQueue: { size: 500 }, completeJobBatchDelay: 0 } : {}),
  },
};

const utils = await makeWorkerUtils({ preset });
await utils.migrate();

const started = process.hrtime.bigint();
for (let i = 0; i < n; i += 1000) {
  const specs = [];
  for (let j = i; j < Math.min(n, i + 1000); ++j)
    specs.push({ identifier: "noop", payload: {} });
  await utils.addJobs(specs);
}
const enqueued = process.hrtime.bigint();

let done = 0;
let finish;
const allDone = new Promise((resolve) => (finish = resolve));
const runner = await run({
  preset,
  noHandleSignals: true,
  taskList: {
    noop: async () => {
      if (++done === n) finish();
    },
  },
});
await allDone;
const ran = process.hrtime.bigint();
// Done means committed: wait until the last completion has deleted its job row.
for (;;) {
  const { rows } = await utils.withPgClient((client) =>
    client.query(`select exists (select 1 from ${schema}._private_jobs) as left`)
  );
  if (!rows[0].left) break;
  await new Promise((resolve) => setTimeout(resolve, 1));
}
const stopped = process.hrtime.bigint();
await runner.stop();
await utils.withPgClient((client) => client.query(`drop schema ${schema} cascade`));
await utils.release();

const seconds = (a, b) => Number(b - a) / 1e9;
const enqueueS = seconds(started, enqueued);
const runS = seconds(enqueued, stopped);
console.log(
  `enqueue ${Math.round(n / enqueueS)} jobs/s  run ${Math.round(n / runS)} jobs/s  ` +
    `whole ${Math.round(n / seconds(started, stopped))} jobs/s` +
    `  (last job ran after ${seconds(enqueued, ran).toFixed(2)} s)`
);
