/**
 * The tenant's stored codes: a grid with thumbnails, a filter by content type, more on demand
 * (cursor pages), re-download through a signed link, delete. Signed-in users only.
 */
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Image,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { api } from '../api/client.js';
import { openLink } from '../api/open-link.js';
import { PAYLOAD_FORMS } from '../generator/payload-forms.js';
import { problemText, useSession } from '../session.js';

const PAGE = 24;
const FORMATS = ['png', 'svg', 'pdf', 'txt'] as const;
type Format = (typeof FORMATS)[number];

interface Filters {
  type?: string;
  format?: Format;
  /** yyyy-mm-dd, from a date input. */
  from?: string;
  to?: string;
  mine?: boolean;
}

export function HistoryPage() {
  const session = useSession();
  const [filters, setFilters] = useState<Filters>({});
  const filter = (change: Partial<Filters>) => setFilters((current) => ({ ...current, ...change }));
  const client = useQueryClient();
  const codes = useInfiniteQuery({
    queryKey: ['codes', session.tenantId, filters],
    enabled: !!session.me,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET('/api/v1/codes', {
        params: {
          query: {
            limit: PAGE,
            cursor: pageParam,
            type: filters.type,
            format: filters.format,
            createdBy: filters.mine ? session.me?.id : undefined,
            // Whole days in the user's time zone.
            from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
            to: filters.to ? new Date(`${filters.to}T23:59:59.999`).toISOString() : undefined,
          },
        },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const remove = useMutation({
    mutationFn: async (id: string) => {
      const { error } = await api.DELETE('/api/v1/codes/{id}', { params: { path: { id } } });
      if (error) throw new Error(problemText(error));
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['codes'] }),
  });

  if (!session.me) return <Navigate to="/sign-in" replace />;
  const items = codes.data?.pages.flatMap((page) => page.codes) ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>History</Title>
      <Group gap="sm" align="flex-end" role="search" aria-label="Filter the history">
        <Select
          label="Content type"
          placeholder="All"
          clearable
          data={Object.entries(PAYLOAD_FORMS).map(([value, form]) => ({
            value,
            label: form.label,
          }))}
          value={filters.type ?? null}
          onChange={(type) => filter({ type: type ?? undefined })}
        />
        <Select
          label="Format"
          placeholder="All"
          clearable
          data={FORMATS.map((format) => ({ value: format, label: format.toUpperCase() }))}
          value={filters.format ?? null}
          onChange={(format) => filter({ format: format ?? undefined })}
          w={120}
        />
        <TextInput
          label="From"
          type="date"
          value={filters.from ?? ''}
          onChange={(event) => filter({ from: event.currentTarget.value || undefined })}
        />
        <TextInput
          label="To"
          type="date"
          value={filters.to ?? ''}
          onChange={(event) => filter({ to: event.currentTarget.value || undefined })}
        />
        <Checkbox
          label="Made by me"
          checked={!!filters.mine}
          onChange={(event) => filter({ mine: event.currentTarget.checked })}
          mb={8}
        />
      </Group>
      {codes.isPending && <Loader aria-label="Loading the history" />}
      {codes.isError && (
        <Alert color="red" role="alert" title="Could not load the history">
          {codes.error.message}
        </Alert>
      )}
      {remove.isError && (
        <Alert color="red" role="alert" title="Could not delete">
          {remove.error.message}
        </Alert>
      )}
      {codes.isSuccess && items.length === 0 && (
        <Text c="dimmed" role="status">
          {Object.values(filters).some(Boolean)
            ? 'No saved codes match these filters.'
            : 'No saved codes yet. Save one from the generator.'}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        {items.map((code) => (
          <Card key={code.id} withBorder data-testid="history-card">
            <Stack gap="xs" align="center">
              <Thumbnail id={code.id} alt={`QR code: ${code.summary}`} />
              <Text fw={500} ta="center" lineClamp={2}>
                {code.summary}
              </Text>
              <Text size="sm" c="dimmed">
                {code.format.toUpperCase()} · {new Date(code.createdAt).toLocaleString()}
              </Text>
              <Group gap="xs">
                <Button size="xs" onClick={() => void download(code.id)}>
                  Download
                </Button>
                <Button
                  size="xs"
                  variant="default"
                  loading={remove.isPending && remove.variables === code.id}
                  onClick={() => remove.mutate(code.id)}
                >
                  Delete
                </Button>
              </Group>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
      {codes.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void codes.fetchNextPage()}
          loading={codes.isFetchingNextPage}
        >
          Show more
        </Button>
      )}
    </Stack>
  );
}

/** Thumbnails need the caller's credentials, so they are fetched and shown as object URLs. */
function Thumbnail({ id, alt }: { id: string; alt: string }) {
  const thumbnail = useQuery({
    queryKey: ['thumbnail', id],
    staleTime: Infinity,
    queryFn: async () => {
      const { data } = await api.GET('/api/v1/codes/{id}/thumbnail', {
        params: { path: { id } },
        parseAs: 'blob',
      });
      return data ? URL.createObjectURL(data) : undefined;
    },
  });
  return <Image src={thumbnail.data} alt={alt} w={160} h={160} fit="contain" />;
}

/** Re-download through a short-lived signed link (S3 presigned, Azure SAS or the API's own). */
async function download(id: string) {
  const { data } = await api.GET('/api/v1/codes/{id}/download-url', { params: { path: { id } } });
  if (data) openLink(data.url);
}
