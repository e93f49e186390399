// Engraving benchmark: G-code generation time for a 25x25 and a 57x57 module code (the seed's
// settings: power 75 %, 1500 mm/min, 2 passes, 0.2 mm depth; 0.5 mm modules, 0.1 mm lines), the
// verification (draw the burns, decode them), the estimated run time and so pieces per hour, and
// the streaming of one piece to the GRBL simulator at 50x real time (its machine time, no acceleration).
// Usage: npm run bench:engrave
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeText, toMatrix } from '../packages/qr/dist/index.js';
import { estimateSeconds } from '../packages/server/dist/modules/engraving/gcode/estimate.js';
import { generateGcode } from '../packages/server/dist/modules/engraving/gcode/generate.js';
import { interpret } from '../packages/server/dist/modules/engraving/gcode/interpret.js';
import {
  DEFAULT_MACHINE,
  DEFAULT_PLACEMENT,
  DEFAULT_SETTINGS,
} from '../packages/server/dist/modules/engraving/gcode/settings.js';
import { verifyToolpath } from '../packages/server/dist/modules/engraving/gcode/verify.js';
import { connectTcp } from '../packages/server/dist/modules/engraving/grbl/driver.js';
import { GrblSimulator } from '../packages/server/dist/modules/engraving/grbl/simulator.js';
import { closeDecodePool } from '../packages/server/dist/modules/scanning/decode-pool.js';

const here = dirname(fileURLToPath(import.meta.url));
const seed = { ...DEFAULT_SETTINGS, power: 75, speed: 1500, passes: 2, depth: 0.2 };
const subjects = [
  { name: '25x25 (a UID, version 2)', text: 'PAD-V0100-L2025-09-00001', version: 2 },
  {
    name: '57x57 (a Digital Link, version 10)',
    text: 'https://id.example.com/01/09506000134352/10/L2025-09/21/00001?x=' + 'A'.repeat(120),
    version: 10,
  },
];
const results = [];
for (const subject of subjects) {
  const matrix = toMatrix(
    encodeText(subject.text, {
      ecc: 'M',
      minVersion: subject.version,
      maxVersion: subject.version,
    }),
  );
  const placement = { ...DEFAULT_PLACEMENT, moduleSize: subject.version > 5 ? 0.4 : 0.5 };
  let job;
  for (let i = 0; i < 20; i++)
    job = generateGcode(matrix, seed, placement, DEFAULT_MACHINE, subject.text);
  const runs = 200;
  let started = performance.now();
  for (let i = 0; i < runs; i++)
    job = generateGcode(matrix, seed, placement, DEFAULT_MACHINE, subject.text);
  const generateMs = (performance.now() - started) / runs;
  started = performance.now();
  const moves = interpret(job.gcode).moves;
  const interpretMs = performance.now() - started;
  // Warm the decoder's worker threads once, outside the clock.
  await verifyToolpath(moves, subject.text, {
    spot: DEFAULT_MACHINE.spotSize,
    moduleSize: job.moduleSize,
    quietZone: 4,
  });
  started = performance.now();
  const verified = await verifyToolpath(moves, subject.text, {
    spot: DEFAULT_MACHINE.spotSize,
    moduleSize: job.moduleSize,
    quietZone: 4,
  });
  const verifyMs = performance.now() - started;
  const seconds = estimateSeconds(moves, DEFAULT_MACHINE);
  // One piece streamed to the simulator at 1000x real time.
  // Slow enough that the moves, not the protocol round trips (~0.16 ms a line here), set the pace.
  const SPEED = 50;
  const simulator = new GrblSimulator({ speed: SPEED });
  const port = await simulator.listen();
  const machine = await connectTcp('127.0.0.1', port);
  started = performance.now();
  await machine.stream(job.gcode);
  const streamMs = performance.now() - started;
  machine.close();
  await simulator.close();
  const row = {
    subject: subject.name,
    modules: matrix.length,
    moduleSizeMm: job.moduleSize,
    gcodeLines: job.lines,
    gcodeKb: Math.round(job.gcode.length / 1024),
    generateMs: Number(generateMs.toFixed(2)),
    interpretMs: Number(interpretMs.toFixed(1)),
    verifyMs: Number(verifyMs.toFixed(0)),
    verified: verified.ok,
    estimatedSeconds: Number(seconds.toFixed(1)),
    piecesPerHour: Math.floor(3600 / seconds),
    simulatedStreamMs: Math.round(streamMs),
    // The simulator moves at the feed without acceleration: its time is a lower bound.
    simulatedSeconds: Number(((streamMs / 1000) * SPEED).toFixed(1)),
    simulatedPiecesPerHour: Math.floor(3600 / ((streamMs / 1000) * SPEED)),
  };
  results.push(row);
}
await closeDecodePool();

for (const r of results)
  console.log(
    `${r.subject}: G-code in ${r.generateMs} ms (${r.gcodeLines} lines), verified in ${r.verifyMs} ms; at the seed's settings ${r.estimatedSeconds} s per piece estimated with acceleration = ${r.piecesPerHour} pieces/hour; streamed to the simulator at 50x in ${r.simulatedStreamMs} ms = ${r.simulatedSeconds} s of machine time without acceleration = ${r.simulatedPiecesPerHour} pieces/hour`,
  );
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'engrave.json'),
  JSON.stringify({ cpu: cpus()[0]?.model, date: new Date().toISOString(), results }, null, 2),
);
