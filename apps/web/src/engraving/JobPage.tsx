/**
 * One engraving job: live progress from its server-sent events (piece n of N, lines, ETA), the
 * actions its status allows, the toolpath preview of a piece, and every piece with its state.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Image,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Navigate, useParams } from 'react-router';
import { api } from '../api/client.js';
import { readEvents } from '../api/sse.js';
import { problemText, useSession } from '../session.js';
import { JOB_COLOURS, JobProgress, type EngravingJob } from './EngravingPage.js';

type Action = 'pause' | 'resume' | 'cancel' | 'retry' | 'confirm';
const ACTIONS: Record<Action, { label: string; when: string[] }> = {
  confirm: { label: 'Engrave next piece', when: ['queued', 'running', 'paused'] },
  pause: { label: 'Pause', when: ['queued', 'running'] },
  resume: { label: 'Resume', when: ['paused'] },
  cancel: { label: 'Cancel', when: ['queued', 'running', 'paused'] },
  retry: { label: 'Retry failed pieces', when: ['failed', 'cancelled'] },
};

export function JobPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const client = useQueryClient();
  const key = ['engraving-job', id];
  const job = useQuery({
    queryKey: key,
    enabled: !!session.me,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/engraving/jobs/{id}', {
        params: { path: { id } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const [live, setLive] = useState<Omit<EngravingJob, 'pieces'>>();
  const status = job.data?.status;
  // Follow the event stream while the job can change; each event also refreshes the pieces.
  useEffect(() => {
    if (!status || ['completed', 'failed', 'cancelled'].includes(status)) return;
    const abort = new AbortController();
    void (async () => {
      const { data } = await api.GET('/api/v1/engraving/jobs/{id}/events', {
        params: { path: { id } },
        parseAs: 'stream',
        signal: abort.signal,
      });
      if (!data) return;
      let pieces = '';
      await readEvents(data, (event) => {
        const next = JSON.parse(event.data) as Omit<EngravingJob, 'pieces'>;
        setLive(next);
        const counts = `${next.status}:${next.done}:${next.failed}`;
        if (counts !== pieces) void client.invalidateQueries({ queryKey: key });
        pieces = counts;
      });
      void client.invalidateQueries({ queryKey: key });
    })().catch(() => undefined);
    return () => abort.abort();
  }, [id, status]);
  const [piece, setPiece] = useState(1);
  const preview = useQuery({
    queryKey: ['engraving-preview', id, piece],
    enabled: !!job.data,
    queryFn: async () => {
      const { data } = await api.GET('/api/v1/engraving/jobs/{id}/preview', {
        params: { path: { id }, query: { piece } },
        parseAs: 'blob',
      });
      return data ? URL.createObjectURL(data) : undefined;
    },
  });
  const act = useMutation({
    mutationFn: async (action: Action) => {
      const { data, error } = await api.POST('/api/v1/engraving/jobs/{id}/{action}', {
        params: { path: { id, action } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: (data) => {
      setLive(data);
      void client.invalidateQueries({ queryKey: key });
    },
  });
  if (!session.me) return <Navigate to="/sign-in" replace />;
  if (job.isLoading) return <Loader aria-label="Loading the job" />;
  if (!job.data) return <Alert color="red">{job.error?.message}</Alert>;
  const current = live && live.id === id ? { ...job.data, ...live } : job.data;
  return (
    <Stack gap="md" maw={900}>
      <Group justify="space-between">
        <Title order={2}>
          Engraving job: {current.total} piece{current.total > 1 ? 's' : ''}
        </Title>
        <Badge color={JOB_COLOURS[current.status]} data-testid="job-status">
          {current.status}
        </Badge>
      </Group>
      {current.dryRun && (
        <Text size="sm">
          Dry run: each program is checked by the machine in check mode ($C); nothing moves or
          burns, and no item changes.
        </Text>
      )}
      <div data-testid="job-progress">
        <JobProgress job={current} />
      </div>
      {current.error && <Alert color="red">{current.error}</Alert>}
      <Group>
        {(Object.keys(ACTIONS) as Action[])
          .filter((action) => ACTIONS[action].when.includes(current.status))
          .filter((action) => action !== 'confirm' || current.confirmEach)
          .map((action) => (
            <Button
              key={action}
              variant={action === 'cancel' ? 'outline' : 'filled'}
              color={action === 'cancel' ? 'red.9' : undefined}
              loading={act.isPending && act.variables === action}
              onClick={() => act.mutate(action)}
            >
              {ACTIONS[action].label}
            </Button>
          ))}
      </Group>
      {act.error && <Alert color="red">{act.error.message}</Alert>}
      <Title order={3}>Toolpath of piece {piece}</Title>
      {preview.data && (
        <Image
          src={preview.data}
          alt={`Toolpath of piece ${piece}: burns dark, moves dashed`}
          maw={360}
          fit="contain"
        />
      )}
      <Table aria-label="Pieces">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Item</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {job.data.pieces.map((p) => (
            <Table.Tr key={p.seq}>
              <Table.Td>
                <Button variant="subtle" size="compact-sm" onClick={() => setPiece(p.seq)}>
                  {p.seq}
                </Button>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{p.uid}</Table.Td>
              <Table.Td>
                {p.status}
                {p.error && (
                  <Text size="xs" c="red.9">
                    {p.error}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
