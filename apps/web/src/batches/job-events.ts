/**
 * Follows a job live through its server-sent-events stream. EventSource cannot send the
 * Authorization header, so the stream is read with fetch (through the typed client, which adds
 * credentials) and parsed with eventsource-parser. The server ends a stream after a while, so it
 * reconnects until the job is finished.
 */
import { api } from '../api/client.js';
import { readEvents } from '../api/sse.js';
import type { paths } from '../api/schema.js';
import { problemText } from '../session.js';

export type Job =
  paths['/api/v1/jobs/{id}']['get']['responses']['200']['content']['application/json'];

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
export const isFinished = (status: string) => FINISHED.has(status);

const RECONNECT_MS = 1000;

/** Calls onJob with every change; resolves with the finished job, rejects when aborted. */
export async function followJob(
  jobId: string,
  onJob: (job: Job) => void,
  signal: AbortSignal,
): Promise<Job> {
  for (;;) {
    const { data, error } = await api.GET('/api/v1/jobs/{id}/events', {
      params: { path: { id: jobId } },
      parseAs: 'stream',
      signal,
    });
    if (!data) throw new Error(problemText(error));
    let last: Job | undefined;
    await readEvents(data, (event) => {
      if (event.event !== 'job') return;
      last = JSON.parse(event.data) as Job;
      onJob(last);
    });
    if (last && isFinished(last.status)) return last;
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    signal.throwIfAborted();
  }
}
