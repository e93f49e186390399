/** The inventory pages under one heading, with tabs that are links (each page has its address). */
import { Stack, Tabs, Title } from '@mantine/core';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from '../session.js';

const TABS = [
  { path: '/inventory', label: 'Items' },
  { path: '/inventory/generate', label: 'Generate' },
  { path: '/inventory/lots', label: 'Lots' },
  { path: '/inventory/types', label: 'Types & alerts' },
  { path: '/inventory/analytics', label: 'Analytics' },
];

export function InventoryLayout() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  if (!session.me) return <Navigate to="/sign-in" replace />;
  // An item's page belongs to the Items tab.
  const active =
    TABS.slice(1).find((tab) => location.pathname.startsWith(tab.path))?.path ?? '/inventory';
  return (
    <Stack gap="md">
      <Title order={2}>Inventory</Title>
      <Tabs value={active} onChange={(path) => path && void navigate(path)}>
        <Tabs.List aria-label="Inventory pages">
          {TABS.map((tab) => (
            <Tabs.Tab key={tab.path} value={tab.path}>
              {tab.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </Stack>
  );
}
