/**
 * The public face of each part: what its code holds (item URL, GS1 Digital Link, signed), what
 * its public page shows, recalls shown on those pages, and who scans which lot.
 */
import { Stack, Text, Title } from '@mantine/core';
import { Navigate } from 'react-router';
import { roleIn, useSession } from '../session.js';
import { CodeContentSettings } from './CodeContentSettings.js';
import { LotScans } from './LotScans.js';
import { PublicPageSettings } from './PublicPageSettings.js';
import { Recalls } from './Recalls.js';

export function PublicPagesPage() {
  const session = useSession();
  const role = roleIn(session);
  if (!role) return <Navigate to="/sign-in" replace />;
  return (
    <Stack gap="md">
      <Title order={2}>Public item pages</Title>
      <Text size="sm">
        A customer who scans a part's code sees its page: what it is, its warranty, and any recall
        of its lot.
      </Text>
      <CodeContentSettings admin={role === 'admin'} />
      <PublicPageSettings admin={role === 'admin'} />
      <Recalls operator={role !== 'viewer'} />
      <LotScans />
    </Stack>
  );
}
