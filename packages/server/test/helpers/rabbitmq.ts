/**
 * The local RabbitMQ for the AMQP tests (its own module, so only those tests wait for the check).
 * Absent: the tests are skipped with a visible message, except under QRFORGE_REQUIRE_SERVICES=1.
 */
import { connect } from 'amqplib';

export const AMQP_URL = process.env.QRFORGE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export const rabbitAvailable = await (async () => {
  let ok = false;
  try {
    const connection = await connect(AMQP_URL, { timeout: 2000 });
    await connection.close();
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.QRFORGE_REQUIRE_SERVICES === '1')
    throw new Error(
      `RabbitMQ is required (QRFORGE_REQUIRE_SERVICES=1) but ${AMQP_URL} does not answer`,
    );
  if (!ok) console.warn(`\n  ⚠ RabbitMQ at ${AMQP_URL} is not reachable: its tests are SKIPPED\n`);
  return ok;
})();
