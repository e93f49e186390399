/**
 * One item: its code (fetched with the caller's credentials), its details, the moves its status
 * allows (with an optional reason and location), and its timeline.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Image,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { STATUS_COLOURS, type ItemStatus } from './statuses.js';

export function ItemPage() {
  const uid = useParams().uid!;
  const session = useSession();
  const client = useQueryClient();
  const key = ['item', session.tenantId, uid];
  const item = useQuery({
    queryKey: key,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/items/{uid}', {
        params: { path: { uid } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const timeline = useQuery({
    queryKey: [...key, 'timeline'],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/items/{uid}/timeline', {
        params: { path: { uid } },
      });
      if (!data) throw new Error(problemText(error));
      return data.events;
    },
  });
  const [reason, setReason] = useState('');
  const [location, setLocation] = useState('');
  const move = useMutation({
    mutationFn: async (status: ItemStatus) => {
      const { data, error } = await api.POST('/api/v1/inventory/items/{uid}/status', {
        params: { path: { uid } },
        body: { status, ...(reason ? { reason } : {}), ...(location ? { location } : {}) },
      });
      if (!data) throw new Error(problemText(error));
    },
    onSuccess: () => {
      setReason('');
      setLocation('');
      void client.invalidateQueries({ queryKey: key });
      void client.invalidateQueries({ queryKey: ['items'] });
    },
  });

  if (item.isPending) return <Loader aria-label="Loading the item" />;
  if (item.isError)
    return (
      <Alert color="red" role="alert" title="Could not load the item">
        {item.error.message}
      </Alert>
    );
  const view = item.data;
  const details: [string, string][] = [
    ['Type', view.typeCode],
    ['Vendor', view.vendorCode],
    ['Lot', view.lotNumber],
    ['Serial', String(view.serial)],
    ['Made', view.manufacturingDate],
    [
      'Warranty',
      view.warrantyExpires ? `${view.warrantyYears} years, until ${view.warrantyExpires}` : 'none',
    ],
    ['Location', view.location ?? 'not set'],
    ['Code content', view.codeContent],
  ];
  return (
    <Stack gap="md">
      <Group gap="sm">
        <Title order={3} ff="monospace">
          {view.uid}
        </Title>
        <Badge color={STATUS_COLOURS[view.status]} variant="filled" size="lg">
          {view.status}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder>
          <Group align="flex-start" wrap="nowrap">
            <ItemCode uid={view.uid} />
            <Table>
              <Table.Tbody>
                {details.map(([name, value]) => (
                  <Table.Tr key={name}>
                    <Table.Th>{name}</Table.Th>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{value}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Group>
        </Card>
        <Card withBorder>
          <Stack gap="sm">
            <Title order={4}>Move to</Title>
            {view.allowed.length === 0 ? (
              <Text c="dimmed">{view.status} is final: no further moves.</Text>
            ) : (
              <>
                <Group grow>
                  <TextInput
                    label="Reason (optional)"
                    value={reason}
                    onChange={(event) => setReason(event.currentTarget.value)}
                  />
                  <TextInput
                    label="Location (optional)"
                    value={location}
                    onChange={(event) => setLocation(event.currentTarget.value)}
                  />
                </Group>
                <Group gap="xs">
                  {view.allowed.map((status) => (
                    <Button
                      key={status}
                      variant="default"
                      loading={move.isPending && move.variables === status}
                      onClick={() => move.mutate(status)}
                    >
                      {status}
                    </Button>
                  ))}
                </Group>
              </>
            )}
            {move.isError && (
              <Alert color="red" role="alert" title="Not moved">
                {move.error.message}
              </Alert>
            )}
          </Stack>
        </Card>
      </SimpleGrid>
      <Title order={4}>Timeline</Title>
      {timeline.isPending && <Loader aria-label="Loading the timeline" />}
      {timeline.isError && (
        <Alert color="red" role="alert" title="Could not load the timeline">
          {timeline.error.message}
        </Alert>
      )}
      {timeline.data && (
        <Timeline active={timeline.data.length} bulletSize={16} data-testid="timeline">
          {timeline.data.map((event, i) => (
            <Timeline.Item
              key={i}
              title={
                event.kind === 'created'
                  ? 'Created'
                  : `${event.fromStatus ?? ''} → ${event.toStatus ?? event.kind}`
              }
            >
              <Text size="sm">
                {new Date(event.at).toLocaleString()} · {event.actorType}
                {Object.entries(event.details)
                  .filter(([name]) => name !== 'requestId')
                  .map(([name, value]) => ` · ${name}: ${String(value)}`)
                  .join('')}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}

/** The item's code as PNG, fetched with credentials and shown from a blob URL. */
function ItemCode({ uid }: { uid: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    void api
      .GET('/api/v1/inventory/items/{uid}/code', {
        params: { path: { uid }, query: { format: 'png', size: 256 } },
        parseAs: 'blob',
      })
      .then(({ data }) => {
        if (!data || !live) return;
        url = URL.createObjectURL(data);
        setSrc(url);
      });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [uid]);
  return src ? (
    <Image src={src} alt={`QR code of ${uid}`} w={128} h={128} />
  ) : (
    <Loader aria-label="Loading the code" />
  );
}
