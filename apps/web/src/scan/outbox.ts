/**
 * Scans leave the page through an outbox kept in localStorage: each gets its own client ID and
 * the time it was read, so when the network drops (a warehouse dead spot) scanning goes on, and
 * what was read is sent when the connection returns. The server answers a resent client ID with
 * its first answer, so sending twice is safe.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { problemText } from '../session.js';

type Submit = paths['/api/v1/scans/sessions/{id}/scans']['post'];
export type ClassifiedScan =
  Submit['responses']['200']['content']['application/json']['scans'][number];
export type Summary = Submit['responses']['200']['content']['application/json']['summary'];
export type PendingScan = Submit['requestBody']['content']['application/json']['scans'][number] & {
  clientId: string;
};

/** How often pending scans are retried while offline. */
const RETRY_MS = 5000;

export function useScanOutbox(sessionId: string, onAnswer: (scans: ClassifiedScan[]) => void) {
  const key = `qrforge.scan-outbox.${sessionId}`;
  const pending = useRef<PendingScan[]>(
    JSON.parse(localStorage.getItem(key) ?? '[]') as PendingScan[],
  );
  const [waiting, setWaiting] = useState(pending.current.length);
  const [offline, setOffline] = useState(false);
  const [summary, setSummary] = useState<Summary>();
  const [error, setError] = useState<string>();
  const sending = useRef(false);
  const answer = useRef(onAnswer);
  answer.current = onAnswer;

  const keep = useCallback(
    (scans: PendingScan[]) => {
      pending.current = scans;
      localStorage.setItem(key, JSON.stringify(scans));
      setWaiting(scans.length);
    },
    [key],
  );

  const flush = useCallback(async () => {
    if (sending.current || !pending.current.length) return;
    sending.current = true;
    const batch = pending.current.slice(0, 200);
    try {
      const { data, error: problem } = await api.POST('/api/v1/scans/sessions/{id}/scans', {
        params: { path: { id: sessionId } },
        body: { scans: batch },
      });
      setOffline(false);
      const sent = new Set(batch.map((scan) => scan.clientId));
      keep(pending.current.filter((scan) => !sent.has(scan.clientId)));
      if (data) {
        setError(undefined);
        setSummary(data.summary);
        answer.current(data.scans);
      } else setError(problemText(problem));
    } catch {
      // fetch itself failed: no network. The scans stay in the outbox.
      setOffline(true);
    } finally {
      sending.current = false;
    }
    if (pending.current.length && !sending.current) void flush();
  }, [keep, sessionId]);

  const add = useCallback(
    (text: string, source: PendingScan['source']) => {
      keep([
        ...pending.current,
        { text, source, clientId: clientId(), scannedAt: new Date().toISOString() },
      ]);
      void flush();
    },
    [flush, keep],
  );

  useEffect(() => {
    const online = () => void flush();
    window.addEventListener('online', online);
    const timer = setInterval(() => void flush(), RETRY_MS);
    void flush();
    return () => {
      window.removeEventListener('online', online);
      clearInterval(timer);
    };
  }, [flush]);

  return { add, waiting, offline, summary, setSummary, error };
}

/** A random ID; randomUUID exists only on secure origins, getRandomValues everywhere. */
function clientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}
