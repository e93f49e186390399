/** Scans of a lot's public item pages: totals and charts per day, device, language, browser. */
import { Alert, Card, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { ScanCharts } from './ScanCharts.js';

export function LotScans() {
  const session = useSession();
  const [lot, setLot] = useState<string | null>(null);
  const lots = useQuery({
    queryKey: ['lots', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/lots', {
        params: { query: { limit: 200 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.lots;
    },
  });
  const stats = useQuery({
    queryKey: ['lot-scans', session.tenantId, lot],
    enabled: !!lot,
    refetchInterval: 5000,
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/links/analytics', {
        params: { query: { lot: lot! } },
      });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const numbers = [...new Set(lots.data?.map((l) => l.lotNumber))];
  return (
    <Card withBorder data-testid="lot-scans">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Scans per lot
        </Title>
        <Select
          label="Lot"
          placeholder={numbers.length ? 'Choose a lot' : 'No lot yet'}
          data={numbers}
          value={lot}
          onChange={setLot}
          // Lots made since the page opened appear too.
          onDropdownOpen={() => void lots.refetch()}
          searchable
        />
        {(lots.error ?? stats.error) && (
          <Alert color="red">{(lots.error ?? stats.error)!.message}</Alert>
        )}
        {stats.data && <ScanCharts stats={stats.data} />}
        {!lot && (
          <Text size="sm">Every view of an item's public page counts as a scan of its lot.</Text>
        )}
      </Stack>
    </Card>
  );
}
