/** Lots, newest first: how many serials each has issued, its items, and its label sheet. */
import { Alert, Anchor, Loader, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { LabelSheet } from './GeneratePage.js';

export function LotsPage() {
  const session = useSession();
  const lots = useQuery({
    queryKey: ['lots', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/lots', {
        params: { query: { limit: 100 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.lots;
    },
  });
  if (lots.isPending) return <Loader aria-label="Loading the lots" />;
  if (lots.isError)
    return (
      <Alert color="red" role="alert" title="Could not load the lots">
        {lots.error.message}
      </Alert>
    );
  if (!lots.data.length)
    return (
      <Text c="dimmed" role="status">
        No lots yet. Make one on the Generate tab.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped data-testid="lots-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Lot</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Vendor</Table.Th>
            <Table.Th>Made</Table.Th>
            <Table.Th>Serials issued</Table.Th>
            <Table.Th>Labels</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lots.data.map((lot) => (
            <Table.Tr key={lot.id}>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/inventory?lot=${encodeURIComponent(lot.lotNumber)}&type=${encodeURIComponent(lot.typeCode)}`}
                  underline="always"
                >
                  {lot.lotNumber}
                </Anchor>
              </Table.Td>
              <Table.Td>{lot.typeCode}</Table.Td>
              <Table.Td>{lot.vendorCode}</Table.Td>
              <Table.Td>{lot.manufacturingDate}</Table.Td>
              <Table.Td>{lot.issued.toLocaleString()}</Table.Td>
              <Table.Td>
                <LabelSheet lotId={lot.id} name={lot.lotNumber} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
