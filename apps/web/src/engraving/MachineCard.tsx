/**
 * A machine's card: its live state and last status report, and what an operator can do with it —
 * ask it now (check), clear an alarm (unlock, GRBL's `$X`, once the cause is fixed) — and an admin,
 * remove it.
 */
import { Alert, Badge, Button, Card, Group, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { problemText } from '../session.js';

export type Machine =
  paths['/api/v1/engraving/machines']['get']['responses']['200']['content']['application/json']['machines'][number];

/** Colours dark enough for white badge text (4.5:1); the word is always shown. */
const MACHINE_COLOURS: Record<Machine['state'], string> = {
  idle: 'teal.9',
  busy: 'blue.9',
  alarm: 'red.9',
  offline: 'gray.8',
};

export function MachineCard({
  machine: m,
  role,
}: {
  machine: Machine;
  role: 'admin' | 'operator' | 'viewer';
}) {
  const client = useQueryClient();
  const act = useMutation({
    mutationFn: async (action: 'check' | 'unlock' | 'remove') => {
      const params = { path: { id: m.id } };
      const { error } =
        action === 'remove'
          ? await api.DELETE('/api/v1/engraving/machines/{id}', { params })
          : await api.POST('/api/v1/engraving/machines/{id}/{action}', {
              params: { path: { id: m.id, action } },
            });
      if (error) throw new Error(problemText(error));
    },
    onSettled: () => void client.invalidateQueries({ queryKey: ['machines'] }),
  });
  const position = (m.lastStatus as { position?: { x: number; y: number } } | null)?.position;
  return (
    <Card withBorder data-testid="machine">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600}>{m.name}</Text>
        <Badge color={MACHINE_COLOURS[m.state]}>{m.state}</Badge>
      </Group>
      <Text size="sm">
        {m.kind}, {m.workArea.x} x {m.workArea.y} mm, {m.connection.type}
      </Text>
      {m.lastStatus && (
        <Text size="sm">
          Last report: {String(m.lastStatus.state)}
          {position && ` at X${position.x} Y${position.y}`}
          {m.lastSeenAt && `, ${new Date(m.lastSeenAt).toLocaleTimeString()}`}
        </Text>
      )}
      {m.state === 'alarm' && (
        <Alert color="red" mt="xs" p="xs">
          In alarm: fix the cause on the machine (limit switch, door), then unlock.
        </Alert>
      )}
      {act.error && (
        <Alert color="red" mt="xs">
          {act.error.message}
        </Alert>
      )}
      {role !== 'viewer' && m.state !== 'busy' && (
        <Group gap="xs" mt="xs">
          <Button size="xs" variant="default" onClick={() => act.mutate('check')}>
            Check now
          </Button>
          {m.state === 'alarm' && (
            <Button size="xs" color="red.9" onClick={() => act.mutate('unlock')}>
              Unlock
            </Button>
          )}
          {role === 'admin' && (
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                if (window.confirm(`Remove ${m.name}?`)) act.mutate('remove');
              }}
            >
              Remove
            </Button>
          )}
        </Group>
      )}
    </Card>
  );
}
