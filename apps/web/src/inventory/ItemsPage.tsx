/**
 * The item list: filters (UID search, status, type, lot, warranty), cursor pages loaded on
 * demand, a selection moved to another status in one all-or-nothing request, and the filtered
 * list exported as CSV. Filters live in the address, so a lot's "Items" link lands filtered.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Select,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import { saveBlob } from '../api/download.js';
import { problemText, useSession } from '../session.js';
import { STATUS_COLOURS, STATUSES, type ItemStatus } from './statuses.js';

const PAGE = 50;
const FILTERS = ['q', 'status', 'type', 'lot', 'warrantyBefore'] as const;

export function useTypes() {
  const session = useSession();
  return useQuery({
    queryKey: ['types', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/types');
      if (!data) throw new Error(problemText(error));
      return data.types;
    },
  });
}

export function ItemsPage() {
  const session = useSession();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(
    FILTERS.map((name) => [name, params.get(name) ?? undefined]),
  ) as Partial<Record<(typeof FILTERS)[number], string>>;
  const setFilter = (name: (typeof FILTERS)[number], value: string | undefined) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  // Typed filters wait for a pause, so a search is not a request per key.
  const setTyped = useDebouncedCallback(setFilter, 300);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState<ItemStatus | null>(null);
  const types = useTypes();
  const query = {
    ...filters,
    status: filters.status as ItemStatus | undefined,
  };
  const list = useInfiniteQuery({
    queryKey: ['items', session.tenantId, filters],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET('/api/v1/inventory/items', {
        params: { query: { ...query, limit: PAGE, cursor: pageParam } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const move = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/inventory/items/status', {
        body: { uids: [...selected], status: target! },
      });
      if (!data) throw new Error(problemText(error));
      return data.moved;
    },
    onSuccess: () => {
      setSelected(new Set());
      void client.invalidateQueries({ queryKey: ['items'] });
    },
  });
  const exportCsv = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/items/export', {
        params: { query: { ...query, format: 'csv' } },
        parseAs: 'blob',
      });
      if (!data) throw new Error(problemText(error));
      saveBlob(data, 'items.csv');
    },
  });

  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const toggle = (uid: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(uid);
      else next.delete(uid);
      return next;
    });
  const allShown = items.length > 0 && items.every((item) => selected.has(item.uid));
  return (
    <>
      <Group gap="sm" align="flex-end" role="search" aria-label="Filter the items">
        <TextInput
          label="Search UID"
          placeholder="L2026-03-0001"
          defaultValue={filters.q ?? ''}
          onChange={(event) => setTyped('q', event.currentTarget.value.trim() || undefined)}
        />
        <Select
          label="Status"
          placeholder="All"
          clearable
          data={STATUSES}
          value={filters.status ?? null}
          onChange={(value) => setFilter('status', value ?? undefined)}
          w={150}
        />
        <Select
          label="Type"
          placeholder="All"
          clearable
          data={(types.data ?? []).map((t) => ({ value: t.code, label: `${t.code} · ${t.name}` }))}
          value={filters.type ?? null}
          onChange={(value) => setFilter('type', value ?? undefined)}
          w={180}
        />
        <TextInput
          label="Lot"
          defaultValue={filters.lot ?? ''}
          onChange={(event) => setTyped('lot', event.currentTarget.value.trim() || undefined)}
          w={140}
        />
        <TextInput
          label="Warranty ends before"
          type="date"
          value={filters.warrantyBefore ?? ''}
          onChange={(event) => setFilter('warrantyBefore', event.currentTarget.value || undefined)}
        />
        <Button variant="default" loading={exportCsv.isPending} onClick={() => exportCsv.mutate()}>
          Export CSV
        </Button>
      </Group>
      <Group gap="sm" align="flex-end" aria-label="Bulk actions" role="group">
        <Text size="sm" role="status">
          {selected.size} selected
        </Text>
        <Select
          label="Move selected to"
          placeholder="Status"
          data={STATUSES}
          value={target}
          onChange={(value) => setTarget(value)}
          w={160}
        />
        <Button
          disabled={!selected.size || !target}
          loading={move.isPending}
          onClick={() => move.mutate()}
        >
          Move
        </Button>
      </Group>
      {move.isSuccess && (
        <Alert color="green" role="status">
          {move.data} item{move.data === 1 ? '' : 's'} moved to {target}.
        </Alert>
      )}
      {move.isError && (
        <Alert color="red" role="alert" title="Nothing was moved">
          {move.error.message}
        </Alert>
      )}
      {exportCsv.isError && (
        <Alert color="red" role="alert" title="Could not export">
          {exportCsv.error.message}
        </Alert>
      )}
      {list.isPending && <Loader aria-label="Loading the items" />}
      {list.isError && (
        <Alert color="red" role="alert" title="Could not load the items">
          {list.error.message}
        </Alert>
      )}
      {list.isSuccess && items.length === 0 && (
        <Text c="dimmed" role="status">
          {Object.values(filters).some(Boolean)
            ? 'No items match these filters.'
            : 'No items yet. Make some on the Generate tab.'}
        </Text>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover data-testid="items-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <Checkbox
                    aria-label="Select every item shown"
                    checked={allShown}
                    onChange={(event) => {
                      const on = event.currentTarget.checked;
                      setSelected(on ? new Set(items.map((item) => item.uid)) : new Set());
                    }}
                  />
                </Table.Th>
                <Table.Th>UID</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Lot</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Location</Table.Th>
                <Table.Th>Warranty ends</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.uid}>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${item.uid}`}
                      checked={selected.has(item.uid)}
                      onChange={(event) => toggle(item.uid, event.currentTarget.checked)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/inventory/items/${encodeURIComponent(item.uid)}`}
                      ff="monospace"
                      underline="always"
                    >
                      {item.uid}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{item.typeCode}</Table.Td>
                  <Table.Td>{item.lotNumber}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOURS[item.status]} variant="filled">
                      {item.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{item.location ?? ''}</Table.Td>
                  <Table.Td>{item.warrantyExpires ?? 'none'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.hasNextPage && (
        <Button
          variant="default"
          loading={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          Show more
        </Button>
      )}
    </>
  );
}
