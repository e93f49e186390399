/**
 * Reads a server-sent-events body (fetched through the typed client, which adds credentials —
 * EventSource cannot send the Authorization header) and hands each event to `onEvent`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export async function readEvents(
  body: ReadableStream,
  onEvent: (event: EventSourceMessage) => void,
): Promise<void> {
  const parser = createParser({ onEvent });
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}
