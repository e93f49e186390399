/**
 * Recalls: mark a lot (or a serial range of it) as recalled with a message every affected public
 * page shows; see the affected items with their status and last scan; close a recall.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { problemText, useSession } from '../session.js';

type Recall =
  paths['/api/v1/recalls']['get']['responses']['200']['content']['application/json']['recalls'][number];

export function Recalls({ operator }: { operator: boolean }) {
  const session = useSession();
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['recalls', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/recalls');
      if (!data) throw new Error(problemText(error));
      return data.recalls;
    },
  });
  const shown = list.data?.find((r) => r.id === open);
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={3} size="h4">
          Recalls
        </Title>
        {operator && <NewRecallForm onCreated={setOpen} />}
        {list.error && <Alert color="red">{list.error.message}</Alert>}
        {list.data?.length === 0 && <Text size="sm">No recall.</Text>}
        {!!list.data?.length && (
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label="Recalls">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Lot</Table.Th>
                  <Table.Th>Message</Table.Th>
                  <Table.Th>Items</Table.Th>
                  <Table.Th>State</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((r) => (
                  <RecallRow key={r.id} recall={r} operator={operator} onOpen={setOpen} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {shown && <AffectedItems recall={shown} />}
      </Stack>
    </Card>
  );
}

function NewRecallForm({ onCreated }: { onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const [lot, setLot] = useState('');
  const [from, setFrom] = useState<number | string>('');
  const [to, setTo] = useState<number | string>('');
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/recalls', {
        body: {
          lot: lot.trim(),
          message: message.trim(),
          ...(from === '' ? {} : { serialFrom: Number(from) }),
          ...(to === '' ? {} : { serialTo: Number(to) }),
        },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: (recall) => {
      setLot('');
      setFrom('');
      setTo('');
      setMessage('');
      onCreated(recall.id);
      void client.invalidateQueries({ queryKey: ['recalls'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Stack gap="xs" component="form" aria-label="New recall" onSubmit={submit}>
      <Group grow align="flex-start">
        <TextInput
          label="Lot"
          required
          value={lot}
          onChange={(e) => setLot(e.currentTarget.value)}
        />
        <NumberInput label="From serial" min={1} value={from} onChange={setFrom} />
        <NumberInput label="To serial" min={1} value={to} onChange={setTo} />
      </Group>
      <Textarea
        label="Notice shown on every affected page"
        required
        autosize
        minRows={2}
        value={message}
        onChange={(e) => setMessage(e.currentTarget.value)}
      />
      {create.error && <Alert color="red">{create.error.message}</Alert>}
      <Button
        type="submit"
        color="red.8"
        loading={create.isPending}
        disabled={!lot.trim() || !message.trim()}
        style={{ alignSelf: 'flex-start' }}
      >
        Recall
      </Button>
    </Stack>
  );
}

function RecallRow(props: { recall: Recall; operator: boolean; onOpen: (id: string) => void }) {
  const { recall: r, operator, onOpen } = props;
  const client = useQueryClient();
  const close = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/recalls/{id}/close', {
        params: { path: { id: r.id } },
      });
      if (!data) throw new Error(problemText(error));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['recalls'] }),
  });
  const range =
    r.serialFrom || r.serialTo ? ` (serials ${r.serialFrom ?? 1}–${r.serialTo ?? '…'})` : '';
  return (
    <Table.Tr>
      <Table.Td>
        {r.lot}
        {range}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{r.message}</Text>
      </Table.Td>
      <Table.Td>
        <Anchor component="button" type="button" onClick={() => onOpen(r.id)}>
          {r.affected} item{r.affected === 1 ? '' : 's'}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Badge color={r.closedAt ? 'gray.8' : 'red.9'}>{r.closedAt ? 'closed' : 'open'}</Badge>
          {operator && !r.closedAt && (
            <Button
              size="compact-xs"
              variant="default"
              onClick={() => close.mutate()}
              loading={close.isPending}
            >
              Close
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function AffectedItems({ recall }: { recall: Recall }) {
  const items = useQuery({
    queryKey: ['recall-affected', recall.id],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/recalls/{id}/affected', {
        params: { path: { id: recall.id }, query: { limit: 200 } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  return (
    <Stack gap="xs" data-testid="recall-affected">
      <Text fw={600}>
        Items of lot {recall.lot} under this recall
        {items.data?.next ? ' (the first 200)' : ''}
      </Text>
      {items.error && <Alert color="red">{items.error.message}</Alert>}
      {items.data && (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="Affected items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last scan</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.data.items.map((item) => (
                <Table.Tr key={item.uid}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/inventory/items/${encodeURIComponent(item.uid)}`}
                    >
                      {item.uid}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{item.status}</Table.Td>
                  <Table.Td>
                    {item.lastScan ? new Date(item.lastScan).toLocaleString() : 'never scanned'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
