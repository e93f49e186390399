#!/usr/bin/env node
/**
 * The `qrforge` command.
 *   qrforge serve     HTTP API (and, with the embedded defaults, migrations first)
 *   qrforge migrate   apply database migrations (needed before `serve` on PostgreSQL)
 */
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { openDatabase } from './platform/db/database.js';

const HELP = `Usage: qrforge <command>

Commands:
  serve     serve the API on HOST:PORT (default localhost:8000)
  migrate   apply database migrations
  help      show this help

Settings come from the environment; see .env.example.
`;

async function serve(config: Config): Promise<void> {
  const database = await openDatabase(config);
  // Embedded PGlite belongs to this process alone, so migrating at start is safe; on PostgreSQL
  // several processes start at once, so migrations are a separate step (qrforge migrate).
  if (database.engine === 'pglite') await database.migrate();
  const { server, health } = await buildApp(config, { database });
  server.addHook('onClose', () => database.close());

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down: finishing in-flight requests');
    health.markShuttingDown();
    const timer = setTimeout(() => {
      server.log.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await server.listen({ host: config.host, port: config.port });
}

async function migrate(config: Config): Promise<void> {
  const database = await openDatabase(config);
  try {
    await database.migrate();
    process.stdout.write(`migrations applied (${database.engine})\n`);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [command = 'help'] = positionals;
  if (command === 'help' || command === '--help') {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  if (command === 'serve') return serve(config);
  if (command === 'migrate') return migrate(config);
  process.stderr.write(`qrforge: unknown command "${command}"\n\n${HELP}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`qrforge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
