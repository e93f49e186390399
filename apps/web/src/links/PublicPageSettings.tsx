/**
 * What a public item page shows (chosen fields only; never location, attributes or history), who
 * it says made the part, and whether owners may register their warranty from it.
 */
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Stack,
  Switch,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { problemText, useSession } from '../session.js';

type Settings =
  paths['/api/v1/links/public-page']['get']['responses']['200']['content']['application/json'];
type Field = Settings['fields'][number];
const FIELDS: { value: Field; label: string }[] = [
  { value: 'type', label: 'Component type' },
  { value: 'manufacturingDate', label: 'Manufacturing date' },
  { value: 'warranty', label: 'Warranty status and expiry' },
  { value: 'lot', label: 'Lot number' },
  { value: 'serial', label: 'Serial number' },
];

export function PublicPageSettings({ admin }: { admin: boolean }) {
  const session = useSession();
  const client = useQueryClient();
  const current = useQuery({
    queryKey: ['public-page', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/links/public-page');
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const [form, setForm] = useState<Settings>();
  useEffect(() => setForm(current.data), [current.data]);
  const save = useMutation({
    mutationFn: async (body: Settings) => {
      const { data, error } = await api.PUT('/api/v1/links/public-page', { body });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['public-page'] }),
  });
  if (!form) return current.error ? <Alert color="red">{current.error.message}</Alert> : null;
  const text = (value: string) => (value.trim() ? value.trim() : null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      ...form,
      brandName: text(form.brandName ?? ''),
      contactEmail: text(form.contactEmail ?? ''),
      contactUrl: text(form.contactUrl ?? ''),
    });
  };
  return (
    <Card withBorder component="form" aria-label="What public item pages show" onSubmit={submit}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          What public item pages show
        </Title>
        <Checkbox.Group
          label="Fields"
          description="Location, internal attributes, status and history are never shown."
          value={form.fields}
          onChange={(fields) => setForm({ ...form, fields: fields })}
        >
          <Group gap="md" mt="xs">
            {FIELDS.map((f) => (
              <Checkbox key={f.value} value={f.value} label={f.label} disabled={!admin} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group grow align="flex-start">
          <TextInput
            label="Maker's name"
            value={form.brandName ?? ''}
            onChange={(e) => setForm({ ...form, brandName: e.currentTarget.value })}
            disabled={!admin}
          />
          <TextInput
            label="Contact e-mail"
            type="email"
            value={form.contactEmail ?? ''}
            onChange={(e) => setForm({ ...form, contactEmail: e.currentTarget.value })}
            disabled={!admin}
          />
          <TextInput
            label="Contact web page"
            type="url"
            value={form.contactUrl ?? ''}
            onChange={(e) => setForm({ ...form, contactUrl: e.currentTarget.value })}
            disabled={!admin}
          />
        </Group>
        <Switch
          label="Owners may register their warranty from the page"
          checked={form.warrantyRegistration}
          onChange={(e) => setForm({ ...form, warrantyRegistration: e.currentTarget.checked })}
          disabled={!admin}
        />
        {save.error && <Alert color="red">{save.error.message}</Alert>}
        {save.isSuccess && (
          <Alert color="green" role="status">
            Saved: every public page shows this now.
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
