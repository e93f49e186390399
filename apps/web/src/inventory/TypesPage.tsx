/**
 * Component types with their available stock and minimum (an alert opens below it), editable
 * inline; and the low-stock alerts, open ones first.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  NumberInput,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { useTypes } from './ItemsPage.js';

export function TypesPage() {
  const session = useSession();
  const client = useQueryClient();
  const types = useTypes();
  const alerts = useQuery({
    queryKey: ['alerts', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/alerts', {
        params: { query: { limit: 50 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.alerts;
    },
  });
  const [minimums, setMinimums] = useState<Record<string, number>>({});
  const save = useMutation({
    mutationFn: async (code: string) => {
      const { error } = await api.PATCH('/api/v1/inventory/types/{code}', {
        params: { path: { code } },
        body: { minStock: minimums[code] },
      });
      if (error) throw new Error(problemText(error));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['types'] });
      void client.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  const open = (alerts.data ?? []).filter((a) => !a.resolvedAt);
  return (
    <>
      {types.isPending && <Loader aria-label="Loading the types" />}
      {types.isError && (
        <Alert color="red" role="alert" title="Could not load the types">
          {types.error.message}
        </Alert>
      )}
      {save.isError && (
        <Alert color="red" role="alert" title="Not saved">
          {save.error.message}
        </Alert>
      )}
      {types.data?.length === 0 && (
        <Text c="dimmed" role="status">
          No component types yet: a type is added with its first lot.
        </Text>
      )}
      {!!types.data?.length && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped data-testid="types-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>GTIN</Table.Th>
                <Table.Th>Available</Table.Th>
                <Table.Th>Minimum stock</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {types.data.map((type) => (
                <Table.Tr key={type.code}>
                  <Table.Td>{type.code}</Table.Td>
                  <Table.Td>{type.name}</Table.Td>
                  <Table.Td>{type.gtin ?? ''}</Table.Td>
                  <Table.Td>
                    {type.available.toLocaleString()}
                    {type.available < type.minStock && (
                      <Badge color="red" variant="filled" ml="xs">
                        low
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <NumberInput
                        aria-label={`Minimum stock of ${type.code}`}
                        min={0}
                        w={110}
                        value={minimums[type.code] ?? type.minStock}
                        onChange={(value) =>
                          setMinimums((m) => ({ ...m, [type.code]: Number(value) || 0 }))
                        }
                      />
                      <Button
                        variant="default"
                        disabled={
                          minimums[type.code] === undefined || minimums[type.code] === type.minStock
                        }
                        loading={save.isPending && save.variables === type.code}
                        onClick={() => save.mutate(type.code)}
                      >
                        Save
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Title order={3}>Low-stock alerts</Title>
      {alerts.isError && (
        <Alert color="red" role="alert" title="Could not load the alerts">
          {alerts.error.message}
        </Alert>
      )}
      {alerts.isSuccess && (
        <Text role="status" data-testid="open-alerts">
          {open.length
            ? `${open.length} open: ${open.map((a) => `${a.typeCode} (${a.available} of ${a.minimum})`).join(', ')}`
            : 'No open alerts.'}
        </Text>
      )}
      {!!alerts.data?.length && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Available / minimum</Table.Th>
                <Table.Th>Opened</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.data.map((alert) => (
                <Table.Tr key={alert.id}>
                  <Table.Td>{alert.typeCode}</Table.Td>
                  <Table.Td>
                    {alert.available} / {alert.minimum}
                  </Table.Td>
                  <Table.Td>{new Date(alert.openedAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {alert.resolvedAt ? (
                      `resolved ${new Date(alert.resolvedAt).toLocaleString()}`
                    ) : (
                      <Badge color="red" variant="filled">
                        open
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
