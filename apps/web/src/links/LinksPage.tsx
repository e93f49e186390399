/**
 * Dynamic codes: make one (a short URL of ours, printed once), change where it points, switch it
 * off, print it (PNG, SVG, PDF), and see its scans — per day, by device and language — with a
 * CSV export of every scan.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate } from 'react-router';
import { api } from '../api/client.js';
import { saveBlob } from '../api/download.js';
import type { paths } from '../api/schema.js';
import { problemText, useSession } from '../session.js';
import { CodeImage } from './CodeImage.js';
import { ScanCharts } from './ScanCharts.js';

type Code =
  paths['/api/v1/links/codes']['get']['responses']['200']['content']['application/json']['codes'][number];

export function LinksPage() {
  const session = useSession();
  const [selected, setSelected] = useState<string | null>(null);
  const codes = useQuery({
    queryKey: ['dynamic-codes', session.tenantId],
    enabled: !!session.me,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/links/codes', {
        params: { query: { limit: 100 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.codes;
    },
  });
  if (!session.me) return <Navigate to="/sign-in" replace />;
  const chosen = codes.data?.find((c) => c.id === selected);
  return (
    <Stack gap="md">
      <Title order={2}>Dynamic codes</Title>
      <Text size="sm">
        A dynamic code prints a short address of ours; where it leads can change after printing, and
        every scan is counted.
      </Text>
      <NewCodeForm onCreated={setSelected} />
      {codes.error && <Alert color="red">{codes.error.message}</Alert>}
      {codes.data?.length === 0 && <Text>No dynamic code yet.</Text>}
      {!!codes.data?.length && (
        // Long addresses scroll inside the table on a phone, not the page.
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Dynamic codes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Code</Table.Th>
                <Table.Th>Leads to</Table.Th>
                <Table.Th>On</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {codes.data.map((code) => (
                <CodeRow
                  key={code.id}
                  code={code}
                  selected={code.id === selected}
                  onSelect={() => setSelected(code.id)}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {chosen && <CodeAnalytics code={chosen} />}
    </Stack>
  );
}

function NewCodeForm({ onCreated }: { onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [target, setTarget] = useState('https://');
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/links/codes', {
        body: { name: name.trim(), target: target.trim() },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: (code) => {
      setName('');
      setTarget('https://');
      onCreated(code.id);
      void client.invalidateQueries({ queryKey: ['dynamic-codes'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="form" aria-label="New dynamic code" onSubmit={submit}>
      <Stack gap="sm">
        <Group grow align="flex-start">
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label="Leads to"
            type="url"
            required
            value={target}
            onChange={(e) => setTarget(e.currentTarget.value)}
          />
        </Group>
        {create.error && <Alert color="red">{create.error.message}</Alert>}
        <Group>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Create
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function CodeRow({
  code,
  selected,
  onSelect,
}: {
  code: Code;
  selected: boolean;
  onSelect: () => void;
}) {
  const client = useQueryClient();
  const [target, setTarget] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: async (body: { target?: string; enabled?: boolean }) => {
      const { data, error } = await api.PATCH('/api/v1/links/codes/{id}', {
        params: { path: { id: code.id } },
        body,
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => {
      setTarget(null);
      void client.invalidateQueries({ queryKey: ['dynamic-codes'] });
    },
  });
  return (
    <Table.Tr aria-selected={selected}>
      <Table.Td>
        <Anchor component="button" type="button" onClick={onSelect} fw={600}>
          {code.name}
        </Anchor>
        <Text size="xs" data-testid="short-url">
          {code.url}
        </Text>
      </Table.Td>
      <Table.Td>
        {target === null ? (
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              {code.target}
            </Text>
            <Button size="compact-xs" variant="default" onClick={() => setTarget(code.target)}>
              Change
            </Button>
          </Group>
        ) : (
          <Group
            gap="xs"
            component="form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              change.mutate({ target });
            }}
          >
            <TextInput
              aria-label={`New target of ${code.name}`}
              type="url"
              size="xs"
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
            />
            <Button size="compact-xs" type="submit" loading={change.isPending}>
              Save
            </Button>
          </Group>
        )}
        {change.error && (
          <Alert color="red" p="xs" mt="xs">
            {change.error.message}
          </Alert>
        )}
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`${code.name} on`}
          checked={code.enabled}
          onChange={(e) => change.mutate({ enabled: e.currentTarget.checked })}
        />
      </Table.Td>
    </Table.Tr>
  );
}

function CodeAnalytics({ code }: { code: Code }) {
  const stats = useQuery({
    queryKey: ['link-analytics', code.id],
    refetchInterval: 5000,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/links/analytics', {
        params: { query: { codeId: code.id } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const exportCsv = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.GET('/api/v1/links/scans', {
        params: { query: { codeId: code.id } },
        parseAs: 'blob',
      });
      if (!data) throw new Error(problemText(error));
      saveBlob(data, `scans-${code.slug}.csv`);
    },
  });
  const s = stats.data;
  return (
    <Card withBorder data-testid="code-analytics">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            Scans of {code.name}
          </Title>
          <Badge color={code.enabled ? 'teal.9' : 'gray.8'}>{code.enabled ? 'on' : 'off'}</Badge>
        </Group>
        <Group align="flex-start" gap="lg">
          <CodeImage url={code.url} fileName={`dynamic-${code.slug}`} />
          <Stack gap="xs" style={{ flex: 1, minWidth: 240 }}>
            {stats.error && <Alert color="red">{stats.error.message}</Alert>}
            {s && <ScanCharts stats={s} />}
          </Stack>
        </Group>
        <Group>
          <Button
            variant="default"
            onClick={() => exportCsv.mutate()}
            loading={exportCsv.isPending}
          >
            Export scans (CSV)
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
