/**
 * One batch: a progress bar fed live by the job's event stream, the counts, the rows that
 * failed (from the batch's report) and the files to download. The batch ID is in the address,
 * so leaving and coming back shows the same job.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { openLink } from '../api/open-link.js';
import type { paths } from '../api/schema.js';
import { problemText, useSession } from '../session.js';
import { followJob, isFinished, type Job } from './job-events.js';
import { sourceName } from './source-name.js';

export type Batch =
  paths['/api/v1/batches/{id}']['get']['responses']['200']['content']['application/json'];

/** How many failed rows the page lists; the report CSV has them all. */
const ERRORS_SHOWN = 100;

const FILE_LABELS: Record<string, string> = {
  zip: 'Download ZIP',
  sheet: 'Download label sheet (PDF)',
  report: 'Download report (CSV)',
};

export function BatchView({ id }: { id: string }) {
  const session = useSession();
  const client = useQueryClient();
  const key = ['batch', session.tenantId, id];
  const batch = useQuery({
    queryKey: key,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/batches/{id}', {
        params: { path: { id } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const [live, setLive] = useState<Job>();
  const [streamError, setStreamError] = useState<string>();

  const jobId = batch.data?.jobId;
  const finished = batch.data ? isFinished(batch.data.status) : true;
  useEffect(() => {
    if (!jobId || finished) return;
    const abort = new AbortController();
    followJob(jobId, setLive, abort.signal).then(
      () => void client.invalidateQueries({ queryKey: key }),
      (error: Error) => !abort.signal.aborted && setStreamError(error.message),
    );
    return () => abort.abort();
    // Follow once per job: `key` and `client` are stable for it.
  }, [jobId, finished]);

  if (batch.isPending) return <Loader aria-label="Loading the batch" />;
  if (batch.isError)
    return (
      <Alert color="red" role="alert" title="Could not load the batch">
        {batch.error.message}
      </Alert>
    );
  const view = batch.data;
  // The live job is newer than the batch until the batch is fetched again after it finishes.
  const status = finished ? view.status : (live?.status ?? view.status);
  const progress = finished ? view.progress : (live?.progress ?? view.progress);
  const done = Math.floor((progress / 100) * view.rows);

  return (
    <Card withBorder data-testid="batch-view" data-batch-id={view.id}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {sourceName(view.source)}
          </Title>
          <StatusBadge status={status} />
        </Group>
        <Progress
          value={progress}
          size="xl"
          aria-label="Batch progress"
          animated={!isFinished(status)}
          color={status === 'failed' ? 'red.9' : undefined}
        />
        <Text data-testid="batch-counts" aria-live="polite">
          {status === 'completed'
            ? `${count(view.ok ?? 0)} of ${count(view.rows)} rows made into codes${view.errors ? `, ${count(view.errors)} failed` : ''} · 100 %`
            : `${count(done)} of ${count(view.rows)} rows · ${progress} %`}
        </Text>
        {view.error && status === 'failed' && (
          <Alert color="red" role="alert" title="The batch failed">
            {view.error}
          </Alert>
        )}
        {streamError && (
          <Alert color="yellow" title="Live progress stopped">
            {streamError}. Reload the page to see the latest state.
          </Alert>
        )}
        <Group gap="xs">
          {Object.keys(view.files)
            .filter((file) => file in FILE_LABELS)
            .map((file) => (
              <Button
                key={file}
                variant={file === 'report' ? 'default' : 'filled'}
                onClick={() => void download(view.id, file as 'zip' | 'sheet' | 'report')}
              >
                {FILE_LABELS[file]}
              </Button>
            ))}
        </Group>
        {!!view.errors && view.files.report && <FailedRows batchId={view.id} count={view.errors} />}
      </Stack>
    </Card>
  );
}

const count = (n: number) => n.toLocaleString('en');

export function StatusBadge({ status }: { status: string }) {
  // Dark fills so the white text meets WCAG AA (axe).
  const color =
    status === 'completed'
      ? '#1e6b2e'
      : status === 'failed'
        ? 'red.9'
        : status === 'cancelled'
          ? 'gray.7'
          : 'indigo.8';
  return (
    <Badge color={color} variant="filled">
      {status}
    </Badge>
  );
}

/** The rows that did not become codes, with the reason, read from the batch's report CSV. */
function FailedRows({ batchId, count }: { batchId: string; count: number }) {
  const report = useQuery({
    queryKey: ['batch-report', batchId],
    staleTime: Infinity,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/batches/{id}/files/{file}', {
        params: { path: { id: batchId, file: 'report' } },
        parseAs: 'text',
      });
      if (data === undefined) throw new Error(problemText(error));
      // The CSV parser loads with the first report shown, not with the page.
      const { parse } = await import('csv-parse/browser/esm/sync');
      const records = parse<Record<string, string>>(data, {
        columns: true,
        skip_empty_lines: true,
      });
      return records.filter((record) => record.status !== 'ok').slice(0, ERRORS_SHOWN);
    },
  });
  return (
    <Stack gap="xs">
      <Title order={4} size="h5">
        Rows that failed ({count})
      </Title>
      {report.isPending && <Loader size="sm" aria-label="Loading the failed rows" />}
      {report.isError && (
        <Alert color="red" role="alert">
          {report.error.message}
        </Alert>
      )}
      {report.data && (
        <Table.ScrollContainer minWidth={320}>
          <Table withTableBorder data-testid="failed-rows">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Row</Table.Th>
                <Table.Th>Data</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data.map((row) => (
                <Table.Tr key={row.row}>
                  <Table.Td>{row.row}</Table.Td>
                  <Table.Td>{row.data}</Table.Td>
                  <Table.Td>{row.error}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {count > ERRORS_SHOWN && (
        <Text size="sm" c="dimmed">
          The first {ERRORS_SHOWN} are listed; the report has all {count}.
        </Text>
      )}
    </Stack>
  );
}

async function download(id: string, file: 'zip' | 'sheet' | 'report') {
  const { data } = await api.GET('/api/v1/batches/{id}/files/{file}/download-url', {
    params: { path: { id, file } },
  });
  if (data) openLink(data.url);
}
