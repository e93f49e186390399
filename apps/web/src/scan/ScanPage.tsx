/**
 * Scanning (phone-first): the open sessions and a form to start one; a session's page reads codes
 * from the camera, a keyboard-wedge scanner or a photo, shows each classification at once with a
 * beep and a buzz, keeps the tally, and closes the session.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  FileButton,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.js';
import { STATUSES, type ItemStatus } from '../inventory/statuses.js';
import { problemText, useSession } from '../session.js';
import { signal, startCamera, type CameraReader } from './camera.js';
import { useScanOutbox, type ClassifiedScan, type Summary } from './outbox.js';

type Result = ClassifiedScan['result'];

/** Badge colours dark enough for white text at 4.5:1; the word is always shown too. */
const RESULT_COLOURS: Record<Result, string> = {
  ok: 'teal.9',
  duplicate: 'blue.9',
  unexpected: 'grape.9',
  'wrong-status': 'red.9',
  unknown: 'pink.9',
  'invalid-id': 'gray.8',
};
const RESULTS = Object.keys(RESULT_COLOURS) as Result[];
const PHOTOS_PER_REQUEST = 10;

export function ScanSessionsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const sessions = useQuery({
    queryKey: ['scan-sessions', session.tenantId],
    enabled: !!session.me,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/scans/sessions', {
        params: { query: { status: 'open', limit: 50 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.sessions;
    },
  });
  const [name, setName] = useState('');
  const [lot, setLot] = useState('');
  const [target, setTarget] = useState<string | null>(null);
  const open = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/scans/sessions', {
        body: {
          name: name.trim(),
          ...(lot.trim() ? { expected: { kind: 'lot' as const, lot: lot.trim() } } : {}),
          ...(target ? { targetStatus: target as ItemStatus } : {}),
        },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: (data) => void navigate(`/scan/${data.id}`),
  });
  if (!session.me) return <Navigate to="/sign-in" replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    open.mutate();
  };
  return (
    <Stack gap="md" maw={640}>
      <Title order={2}>Scan</Title>
      <Card withBorder component="form" aria-label="Start a scan session" onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="Session name"
            placeholder="Receiving lot L2026-09"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label="Expected lot"
            description="Optional: scans of other items are flagged unexpected"
            value={lot}
            onChange={(e) => setLot(e.currentTarget.value)}
          />
          <Select
            label="On closing, move ok items to"
            placeholder="Nothing (a count)"
            clearable
            data={STATUSES}
            value={target}
            onChange={setTarget}
          />
          {open.error && <Alert color="red">{open.error.message}</Alert>}
          <Group>
            <Button type="submit" loading={open.isPending} disabled={!name.trim()}>
              Start scanning
            </Button>
          </Group>
        </Stack>
      </Card>
      <Title order={3}>Open sessions</Title>
      {sessions.isLoading && <Loader aria-label="Loading the sessions" />}
      {sessions.data?.length === 0 && <Text>No open session.</Text>}
      {sessions.data?.map((s) => (
        <Card key={s.id} withBorder>
          <Group justify="space-between">
            <Stack gap={0}>
              <Link to={`/scan/${s.id}`}>{s.name}</Link>
              <Text size="sm">
                {s.summary.scans} scans
                {s.summary.expected !== null &&
                  ` · ${s.summary.found} of ${s.summary.expected} found`}
              </Text>
            </Stack>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

export function ScanSessionPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const client = useQueryClient();
  const details = useQuery({
    queryKey: ['scan-session', id],
    enabled: !!session.me,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/scans/sessions/{id}', {
        params: { path: { id } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const [recent, setRecent] = useState<ClassifiedScan[]>([]);
  const heard = (scans: ClassifiedScan[]) => {
    if (!scans.length) return;
    signal(scans.every((scan) => scan.result === 'ok'));
    // Newest first; a resent scan (same ID) is shown once.
    setRecent((list) =>
      [...scans.filter((scan) => !list.some((r) => r.id === scan.id)).reverse(), ...list].slice(
        0,
        50,
      ),
    );
  };
  const outbox = useScanOutbox(id, heard);
  const summary: Summary | undefined = outbox.summary ?? details.data?.summary;

  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<CameraReader>();
  const [cameraError, setCameraError] = useState<string>();
  useEffect(() => () => camera?.stop(), [camera]);
  const toggleCamera = async () => {
    if (camera) {
      camera.stop();
      setCamera(undefined);
      return;
    }
    try {
      setCameraError(undefined);
      setCamera(await startCamera(video.current!, (text) => outbox.add(text, 'camera')));
    } catch (error) {
      setCameraError(
        `The camera cannot be opened (${(error as Error).message}); upload photos instead.`,
      );
    }
  };

  const [typed, setTyped] = useState('');
  const wedge = (event: FormEvent) => {
    event.preventDefault();
    if (typed.trim()) outbox.add(typed.trim(), 'wedge');
    setTyped('');
  };

  const [photoError, setPhotoError] = useState<string>();
  const [uploaded, setUploaded] = useState<{ done: number; total: number }>();
  // A folder of photos goes up ten at a time (the server's QRFORGE_SCAN_MAX_IMAGES default).
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      let codes = 0;
      for (let i = 0; i < files.length; i += PHOTOS_PER_REQUEST) {
        setUploaded({ done: i, total: files.length });
        const form = new FormData();
        for (const file of files.slice(i, i + PHOTOS_PER_REQUEST))
          form.append('file', file, file.name);
        const { data, error } = await api.POST('/api/v1/scans/sessions/{id}/images', {
          params: { path: { id } },
          body: form as never,
        });
        if (!data) throw new Error(problemText(error));
        const scans = data.images.flatMap((image) => image.scans);
        codes += scans.length;
        outbox.setSummary(data.summary);
        heard(scans);
      }
      setUploaded(undefined);
      return codes;
    },
    onSuccess: (codes) => setPhotoError(codes ? undefined : 'No code found in the photos.'),
    onError: (error) => {
      setUploaded(undefined);
      setPhotoError(error.message);
    },
  });

  const close = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/scans/sessions/{id}/close', {
        params: { path: { id } },
        body: { apply: true },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => {
      camera?.stop();
      setCamera(undefined);
      void client.invalidateQueries({ queryKey: ['scan-session', id] });
    },
  });

  if (!session.me) return <Navigate to="/sign-in" replace />;
  if (details.isLoading) return <Loader aria-label="Loading the session" />;
  if (!details.data) return <Alert color="red">{details.error?.message}</Alert>;
  const data = details.data;
  const closed = data.status === 'closed';
  const last = recent[0];
  return (
    <Stack gap="sm" maw={640}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={2}>{data.name}</Title>
        <Badge color={closed ? 'gray.8' : 'teal.9'} style={{ flexShrink: 0 }}>
          {data.status}
        </Badge>
      </Group>
      {summary && <Tally summary={summary} />}
      <Alert
        aria-live="polite"
        data-testid="last-scan"
        color={last ? RESULT_COLOURS[last.result] : 'gray.8'}
        variant="filled"
        title={last ? last.result : 'Ready'}
      >
        {last
          ? `${last.uid ?? last.text}${last.detail ? ` — ${last.detail}` : ''}`
          : 'Point the camera at a code, scan with a scanner, or upload photos.'}
      </Alert>
      {outbox.waiting > 0 && (
        <Alert color="yellow" data-testid="outbox">
          {outbox.waiting} scan{outbox.waiting > 1 ? 's' : ''} waiting for the network
          {outbox.offline ? ' (offline)' : ''}; they are sent when the connection returns.
        </Alert>
      )}
      {outbox.error && <Alert color="red">{outbox.error}</Alert>}
      {closed ? (
        <Alert color="blue">
          Closed{data.moved ? `: ${data.moved} items moved to ${data.targetStatus}` : ''}.
        </Alert>
      ) : (
        <>
          <video
            ref={video}
            aria-label="Camera"
            style={{
              width: '100%',
              maxHeight: '45vh',
              background: '#000',
              display: camera ? 'block' : 'none',
            }}
          />
          {cameraError && <Alert color="red">{cameraError}</Alert>}
          <Group grow>
            <Button onClick={() => void toggleCamera()}>
              {camera ? 'Stop camera' : 'Start camera'}
            </Button>
            <FileButton
              onChange={(files) => {
                if (files.length) upload.mutate(files);
              }}
              accept="image/*"
              multiple
            >
              {(props) => (
                <Button variant="default" loading={upload.isPending} {...props}>
                  Upload photos
                </Button>
              )}
            </FileButton>
          </Group>
          {camera && (
            <Text size="sm" data-testid="decoder">
              Reading with {camera.decoder}
            </Text>
          )}
          {uploaded && (
            <Text size="sm" role="status">
              Uploading photos: {uploaded.done} of {uploaded.total}
            </Text>
          )}
          {photoError && <Alert color="red">{photoError}</Alert>}
          <form onSubmit={wedge} aria-label="Type or scan a code">
            <TextInput
              label="Code"
              description="A USB or Bluetooth scanner types here and presses Enter"
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              autoComplete="off"
            />
          </form>
          <Button
            color="red.9"
            variant="outline"
            loading={close.isPending}
            onClick={() => {
              const move = data.targetStatus
                ? ` and move the ${summary?.byResult.ok ?? 0} ok scans' items to ${data.targetStatus}`
                : '';
              if (window.confirm(`Close "${data.name}"${move}?`)) close.mutate();
            }}
          >
            Close session
          </Button>
          {close.error && <Alert color="red">{close.error.message}</Alert>}
        </>
      )}
      {recent.length > 0 && (
        <Table aria-label="Recent scans">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Code</Table.Th>
              <Table.Th>Result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {recent.map((scan) => (
              <Table.Tr key={scan.id}>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  {scan.uid ?? scan.text}
                  {scan.detail && (
                    <Text size="xs" c="dimmed">
                      {scan.detail}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={RESULT_COLOURS[scan.result]}>{scan.result}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Tally({ summary }: { summary: Summary }) {
  return (
    <Card withBorder data-testid="tally" p="sm">
      {summary.expected !== null && (
        <Text fw={600}>
          {summary.found} of {summary.expected} found · {summary.missing} missing
        </Text>
      )}
      <SimpleGrid cols={3} spacing={4} mt={4}>
        {RESULTS.map((result) => (
          <Text key={result} size="sm">
            {result}: <strong>{summary.byResult[result]}</strong>
          </Text>
        ))}
      </SimpleGrid>
    </Card>
  );
}
