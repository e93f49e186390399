/**
 * Webhooks (admins): the tenant's receivers, a form to add one (its signing secret is shown once),
 * and per receiver: on/off, a test event, and the delivery log with redelivery of failed ones.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  MultiSelect,
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
import type { paths } from '../api/schema.js';
import { problemText, useSession } from '../session.js';

type Endpoint =
  paths['/api/v1/webhooks']['get']['responses']['200']['content']['application/json']['webhooks'][number];

/** The event types the server emits, as its OpenAPI description lists them. */
const EVENT_TYPES = [
  'items.created',
  'item.status.*',
  'inventory.low_stock',
  'inventory.stock_ok',
  'inventory.*',
  'scan.session.closed',
  'webhook.test',
];

export function WebhooksPage() {
  const session = useSession();
  const client = useQueryClient();
  const key = ['webhooks', session.tenantId];
  const list = useQuery({
    queryKey: key,
    enabled: !!session.me,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/webhooks');
      if (!data) throw new Error(problemText(error));
      return data.webhooks;
    },
  });
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/webhooks', {
        body: { url: url.trim(), ...(types.length ? { eventTypes: types } : {}) },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => {
      setUrl('');
      setTypes([]);
      void client.invalidateQueries({ queryKey: key });
    },
  });
  if (!session.me) return <Navigate to="/sign-in" replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Stack gap="md">
      <Title order={2}>Webhooks</Title>
      <Text>
        Domain events (items created, status changes, low stock) are POSTed to these addresses,
        signed as Standard Webhooks says, and retried until they are accepted.
      </Text>
      <form onSubmit={submit} aria-label="Add a webhook">
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Receiver URL"
            placeholder="https://erp.example.com/hooks/qrforge"
            required
            w={360}
            value={url}
            onChange={(event) => setUrl(event.currentTarget.value)}
          />
          <MultiSelect
            label="Events (none chosen: all)"
            data={EVENT_TYPES}
            value={types}
            onChange={setTypes}
            w={320}
            clearable
          />
          <Button type="submit" loading={create.isPending}>
            Add
          </Button>
        </Group>
      </form>
      {create.isError && (
        <Alert color="red" role="alert" title="Not added">
          {create.error.message}
        </Alert>
      )}
      {create.data && (
        <Alert color="yellow" role="status" data-testid="new-secret">
          <Text>
            Signing secret of {create.data.url}, shown only now: store it with the receiver.
          </Text>
          <Code block>{create.data.secret}</Code>
        </Alert>
      )}
      {list.isPending && <Loader aria-label="Loading the webhooks" />}
      {list.isError && (
        <Alert color="red" role="alert" title="Could not load the webhooks">
          {list.error.message}
        </Alert>
      )}
      {list.data?.length === 0 && (
        <Text c="dimmed" role="status">
          No webhooks yet.
        </Text>
      )}
      {list.data?.map((endpoint) => (
        <EndpointCard key={endpoint.id} endpoint={endpoint} />
      ))}
    </Stack>
  );
}

function EndpointCard({ endpoint }: { endpoint: Endpoint }) {
  const session = useSession();
  const client = useQueryClient();
  const deliveriesKey = ['webhook-deliveries', session.tenantId, endpoint.id];
  const deliveries = useQuery({
    queryKey: deliveriesKey,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/webhooks/{id}/deliveries', {
        params: { path: { id: endpoint.id }, query: { limit: 20 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.deliveries;
    },
    // A pending delivery changes as the relay works: look again every few seconds.
    refetchInterval: (query) =>
      query.state.data?.some((d) => d.status === 'pending') ? 2000 : false,
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['webhooks'] });
    void client.invalidateQueries({ queryKey: deliveriesKey });
  };
  const act = useMutation({
    mutationFn: async (action: 'test' | 'toggle' | 'delete' | { retry: string }) => {
      const path = { params: { path: { id: endpoint.id } } };
      const { error } =
        action === 'test'
          ? await api.POST('/api/v1/webhooks/{id}/test', path)
          : action === 'toggle'
            ? await api.PATCH('/api/v1/webhooks/{id}', {
                ...path,
                body: { enabled: !endpoint.enabled },
              })
            : action === 'delete'
              ? await api.DELETE('/api/v1/webhooks/{id}', path)
              : await api.POST('/api/v1/webhooks/deliveries/{id}/retry', {
                  params: { path: { id: action.retry } },
                });
      if (error) throw new Error(problemText(error));
    },
    onSuccess: refresh,
  });
  return (
    <Card withBorder data-testid="webhook">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Stack gap={2}>
            <Text fw={600} style={{ wordBreak: 'break-all' }}>
              {endpoint.url}
            </Text>
            <Text size="sm">
              {endpoint.eventTypes.length ? endpoint.eventTypes.join(', ') : 'every event'}
            </Text>
          </Stack>
          <Group gap="xs">
            <Switch label="On" checked={endpoint.enabled} onChange={() => act.mutate('toggle')} />
            <Button variant="default" onClick={() => act.mutate('test')}>
              Send a test event
            </Button>
            <Button variant="default" color="red" onClick={() => act.mutate('delete')}>
              Remove
            </Button>
          </Group>
        </Group>
        {act.isError && (
          <Alert color="red" role="alert" title="Not done">
            {act.error.message}
          </Alert>
        )}
        {deliveries.data?.length === 0 && <Text size="sm">Nothing delivered yet.</Text>}
        {!!deliveries.data?.length && (
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label={`Deliveries to ${endpoint.url}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Answer</Table.Th>
                  <Table.Th>Last try</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {deliveries.data.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      {d.eventType}
                      {d.subject ? ` · ${d.subject}` : ''}
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        variant="filled"
                        color={
                          d.status === 'succeeded'
                            ? 'teal.9'
                            : d.status === 'failed'
                              ? 'red.9'
                              : 'gray.8'
                        }
                      >
                        {d.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{d.attempts}</Table.Td>
                    <Table.Td>
                      {d.lastError ??
                        (d.responseStatus ? `HTTP ${d.responseStatus} in ${d.responseMs} ms` : '')}
                    </Table.Td>
                    <Table.Td>
                      {d.lastAttemptAt ? new Date(d.lastAttemptAt).toLocaleString() : ''}
                    </Table.Td>
                    <Table.Td>
                      {d.status === 'failed' && (
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => act.mutate({ retry: d.id })}
                        >
                          Send again
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
