/**
 * Engraving: machines with their live state (and a form to add one), the job board (queued,
 * running with progress and ETA, finished), and a form to queue a lot with a material preset.
 * The board refreshes every second while something is queued or running.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';
import { api } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { problemText, roleIn, useSession } from '../session.js';
import { MachineCard, type Machine } from './MachineCard.js';

export type EngravingJob =
  paths['/api/v1/engraving/jobs/{id}']['get']['responses']['200']['content']['application/json'];
type Priority = EngravingJob['priority'];

/** Colours dark enough for white badge text (4.5:1); the word is always shown. */
export const JOB_COLOURS: Record<string, string> = {
  queued: 'gray.8',
  running: 'blue.9',
  paused: 'grape.9',
  completed: 'teal.9',
  failed: 'red.9',
  cancelled: 'dark.7',
};

/** "3 min 20 s" */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${s % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function EngravingPage() {
  const session = useSession();
  const machines = useQuery({
    queryKey: ['machines', session.tenantId],
    enabled: !!session.me,
    refetchInterval: 2000,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/engraving/machines');
      if (!data) throw new Error(problemText(error));
      return data.machines;
    },
  });
  const jobs = useQuery({
    queryKey: ['engraving-jobs', session.tenantId],
    enabled: !!session.me,
    refetchInterval: (query) =>
      query.state.data?.some((j) => ['queued', 'running', 'paused'].includes(j.status))
        ? 1000
        : false,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/engraving/jobs', {
        params: { query: { limit: 50 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.jobs;
    },
  });
  if (!session.me) return <Navigate to="/sign-in" replace />;
  const role = roleIn(session) ?? 'viewer';
  const admin = role === 'admin';
  return (
    <Stack gap="md">
      <Title order={2}>Engraving</Title>
      <Title order={3}>Machines</Title>
      {machines.data?.length === 0 && <Text>No machine yet.</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {machines.data?.map((m) => (
          <MachineCard key={m.id} machine={m} role={role} />
        ))}
      </SimpleGrid>
      {admin && <NewMachineForm />}
      {!!machines.data?.length && <NewJobForm machines={machines.data} />}
      <Title order={3}>Jobs</Title>
      {jobs.data?.length === 0 && <Text>No job yet.</Text>}
      {!!jobs.data?.length && (
        <Table aria-label="Engraving jobs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Job</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Progress</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {jobs.data.map((job) => (
              <Table.Tr key={job.id}>
                <Table.Td>
                  <Link to={`/engraving/jobs/${job.id}`}>
                    {job.total} piece{job.total > 1 ? 's' : ''}, {job.priority}
                  </Link>
                  {job.dryRun && (
                    <Badge ml="xs" variant="outline" color="dark.7">
                      dry run
                    </Badge>
                  )}
                  <Text size="xs">{new Date(job.createdAt).toLocaleString()}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={JOB_COLOURS[job.status]}>{job.status}</Badge>
                </Table.Td>
                <Table.Td miw={160}>
                  <JobProgress job={job} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** "37 of 100", a bar, and while running the piece's lines and the ETA. */
export function JobProgress({ job }: { job: Omit<EngravingJob, 'pieces'> }) {
  const p = job.progress;
  const running = job.status === 'running' && p;
  const fraction = (job.done + (running ? p.lines / p.totalLines : 0)) / job.total;
  return (
    <Stack gap={2}>
      <Text size="sm">
        {job.done} of {job.total}
        {job.failed ? `, ${job.failed} failed` : ''}
        {running ? ` · piece ${p.piece}: ${Math.round((p.lines / p.totalLines) * 100)} %` : ''}
        {running ? ` · ETA ${duration(p.etaSeconds)}` : ''}
        {job.waitingForConfirm ? ' · waiting for your go' : ''}
      </Text>
      <Progress value={fraction * 100} aria-label={`${job.done} of ${job.total} pieces engraved`} />
    </Stack>
  );
}

function NewMachineForm() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string | null>('diode');
  const [host, setHost] = useState('');
  const [port, setPort] = useState<number | string>(23);
  const [speed, setSpeed] = useState<number | string>(20);
  const add = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/engraving/machines', {
        body: {
          name: name.trim(),
          kind: (kind ?? 'diode') as 'diode',
          workArea: { x: 400, y: 400 },
          connection: host.trim()
            ? { type: 'tcp', host: host.trim(), port: Number(port) }
            : { type: 'simulated', speed: Number(speed) },
          presets: [
            {
              name: 'Anodised aluminium',
              power: 75,
              speed: 1500,
              passes: 2,
              lineInterval: 0.1,
              mode: 'raster',
            },
            { name: 'Wood', power: 40, speed: 3000, passes: 1, lineInterval: 0.1, mode: 'raster' },
          ],
        } as never,
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: ['machines'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Card withBorder component="form" aria-label="Add a machine" onSubmit={submit}>
      <Stack gap="sm">
        <Text fw={600}>Add a machine</Text>
        <Group grow align="flex-start">
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select label="Kind" data={['diode', 'co2', 'fibre']} value={kind} onChange={setKind} />
        </Group>
        <Group grow align="flex-start">
          <TextInput
            label="GRBL host"
            description="Empty: a simulated GRBL machine"
            value={host}
            onChange={(e) => setHost(e.currentTarget.value)}
          />
          {host.trim() ? (
            <NumberInput label="Port" value={port} onChange={setPort} min={1} max={65535} />
          ) : (
            <NumberInput
              label="Simulation speed"
              description="Times faster than real time"
              value={speed}
              onChange={setSpeed}
              min={1}
              max={100000}
            />
          )}
        </Group>
        {add.error && <Alert color="red">{add.error.message}</Alert>}
        <Group>
          <Button type="submit" loading={add.isPending} disabled={!name.trim()}>
            Add
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function NewJobForm({ machines }: { machines: Machine[] }) {
  const client = useQueryClient();
  const [lot, setLot] = useState('');
  const [machineId, setMachineId] = useState<string | null>(null);
  const [preset, setPreset] = useState<string | null>(null);
  const [priority, setPriority] = useState<string | null>('normal');
  const [confirmEach, setConfirmEach] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const presets = (machines.find((m) => m.id === machineId) ?? machines[0]).presets;
  const queue = useMutation({
    mutationFn: async () => {
      const chosen = presets.find((p) => p.name === preset);
      const { data, error } = await api.POST('/api/v1/engraving/jobs', {
        body: {
          lot: { lot: lot.trim() },
          priority: (priority ?? 'normal') as Priority,
          confirmEach,
          dryRun,
          ...(machineId ? { machineId } : {}),
          ...(chosen
            ? {
                settings: {
                  power: chosen.power,
                  speed: chosen.speed,
                  passes: chosen.passes,
                  lineInterval: chosen.lineInterval,
                  mode: chosen.mode,
                },
              }
            : {}),
        },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => {
      setLot('');
      void client.invalidateQueries({ queryKey: ['engraving-jobs'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    queue.mutate();
  };
  return (
    <Card withBorder component="form" aria-label="Engrave a lot" onSubmit={submit}>
      <Stack gap="sm">
        <Text fw={600}>Engrave a lot</Text>
        <Group grow align="flex-start">
          <TextInput
            label="Lot"
            required
            value={lot}
            onChange={(e) => setLot(e.currentTarget.value)}
          />
          <Select
            label="Machine"
            placeholder="Any free machine"
            clearable
            data={machines.map((m) => ({ value: m.id, label: m.name }))}
            value={machineId}
            onChange={setMachineId}
          />
        </Group>
        <Group grow align="flex-start">
          <Select
            label="Material preset"
            placeholder="Default (75 %, 1500 mm/min, 2 passes)"
            clearable
            data={presets.map((p) => p.name)}
            value={preset}
            onChange={setPreset}
          />
          <Select
            label="Priority"
            data={['low', 'normal', 'high', 'urgent']}
            value={priority}
            onChange={setPriority}
          />
        </Group>
        <Checkbox
          label="Wait for my go before each piece (parts loaded by hand)"
          checked={confirmEach}
          onChange={(e) => setConfirmEach(e.currentTarget.checked)}
        />
        <Checkbox
          label="Dry run: the machine checks every line ($C), nothing moves or burns, no item changes"
          checked={dryRun}
          onChange={(e) => setDryRun(e.currentTarget.checked)}
        />
        {queue.error && <Alert color="red">{queue.error.message}</Alert>}
        <Group>
          <Button type="submit" loading={queue.isPending} disabled={!lot.trim()}>
            Queue
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
