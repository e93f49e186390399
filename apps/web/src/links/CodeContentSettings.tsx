/**
 * What new component codes hold: the bare UID, a public item URL (`<base>/i/<uid>`) or a GS1
 * Digital Link, and whether URL codes are signed (a forged code for a UID we never issued is then
 * refused by the public page); and the tenant's own address, which item URLs and new dynamic codes
 * are printed with. Items and codes made before keep what they were printed with.
 */
import { Alert, Button, Card, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';

type Mode = 'uid' | 'url' | 'gs1';

export function CodeContentSettings({ admin }: { admin: boolean }) {
  const session = useSession();
  const client = useQueryClient();
  const current = useQuery({
    queryKey: ['code-content', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/code-content');
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const [mode, setMode] = useState<Mode>('uid');
  const [baseUrl, setBaseUrl] = useState('');
  const [signed, setSigned] = useState(false);
  useEffect(() => {
    if (!current.data) return;
    setMode(current.data.mode);
    setBaseUrl(current.data.baseUrl ?? '');
    setSigned(current.data.signed ?? false);
  }, [current.data]);
  const save = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.PUT('/api/v1/inventory/code-content', {
        body: { mode, baseUrl: baseUrl.trim() || null, signed },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['code-content'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder component="form" aria-label="What component codes hold" onSubmit={submit}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          What component codes hold
        </Title>
        <Select
          label="New codes encode"
          data={[
            { value: 'uid', label: 'The unique ID only' },
            { value: 'url', label: 'A public item page: <address>/i/<ID>' },
            { value: 'gs1', label: 'A GS1 Digital Link: <address>/01/<GTIN>/10/<lot>/21/<serial>' },
          ]}
          value={mode}
          onChange={(value) => value && setMode(value)}
          allowDeselect={false}
          disabled={!admin}
        />
        <TextInput
          label="Your address"
          description="https://host[/prefix]: a domain of yours pointed at this server (or its own address). Public item pages and new dynamic codes use it."
          placeholder="https://parts.example.com"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.currentTarget.value)}
          disabled={!admin}
        />
        {mode !== 'uid' && (
          <>
            <Switch
              label="Signed codes: each URL carries a short signature, so forged codes are refused and reported"
              checked={signed}
              onChange={(e) => setSigned(e.currentTarget.checked)}
              disabled={!admin}
            />
          </>
        )}
        <Text size="sm">Items made before keep the codes they were printed with.</Text>
        {(current.error ?? save.error) && (
          <Alert color="red">{(current.error ?? save.error)!.message}</Alert>
        )}
        {save.isSuccess && (
          <Alert color="green" role="status">
            Saved: new codes follow this choice.
          </Alert>
        )}
        {admin && (
          <Button type="submit" loading={save.isPending} style={{ alignSelf: 'flex-start' }}>
            Save
          </Button>
        )}
      </Stack>
    </Card>
  );
}
