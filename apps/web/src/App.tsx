/** The application shell: header with navigation and the theme toggle, and the pages. */
import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Group,
  Loader,
  Menu,
  NavLink,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { lazy, Suspense } from 'react';
import { GeneratorPage } from './generator/GeneratorPage.js';
import { useSession } from './session.js';
import { SignInPage } from './SignInPage.js';

// Pages past the generator load on first visit, so the first page is smaller.
const BatchesPage = lazy(() =>
  import('./batches/BatchesPage.js').then((m) => ({ default: m.BatchesPage })),
);
const BatchPage = lazy(() =>
  import('./batches/BatchesPage.js').then((m) => ({ default: m.BatchPage })),
);
const inventory = () => import('./inventory/index.js');
const InventoryLayout = lazy(() => inventory().then((m) => ({ default: m.InventoryLayout })));
const ItemsPage = lazy(() => inventory().then((m) => ({ default: m.ItemsPage })));
const ItemPage = lazy(() => inventory().then((m) => ({ default: m.ItemPage })));
const GenerateLotPage = lazy(() => inventory().then((m) => ({ default: m.GeneratePage })));
const LotsPage = lazy(() => inventory().then((m) => ({ default: m.LotsPage })));
const TypesPage = lazy(() => inventory().then((m) => ({ default: m.TypesPage })));
// Recharts is large: the dashboard loads on its own.
const AnalyticsPage = lazy(() =>
  import('./inventory/AnalyticsPage.js').then((m) => ({ default: m.AnalyticsPage })),
);
const WebhooksPage = lazy(() =>
  import('./webhooks/WebhooksPage.js').then((m) => ({ default: m.WebhooksPage })),
);
const engraving = () => import('./engraving/index.js');
const EngravingPage = lazy(() => engraving().then((m) => ({ default: m.EngravingPage })));
const EngravingJobPage = lazy(() => engraving().then((m) => ({ default: m.JobPage })));
const scan = () => import('./scan/ScanPage.js');
const ScanSessionsPage = lazy(() => scan().then((m) => ({ default: m.ScanSessionsPage })));
const ScanSessionPage = lazy(() => scan().then((m) => ({ default: m.ScanSessionPage })));
const LinksPage = lazy(() =>
  import('./links/LinksPage.js').then((m) => ({ default: m.LinksPage })),
);
const PublicPagesPage = lazy(() =>
  import('./links/PublicPagesPage.js').then((m) => ({ default: m.PublicPagesPage })),
);
const HistoryPage = lazy(() =>
  import('./history/HistoryPage.js').then((m) => ({ default: m.HistoryPage })),
);

const PAGES = [
  { path: '/generate', label: 'Generate', signedIn: false },
  { path: '/batches', label: 'Batches', signedIn: true },
  { path: '/history', label: 'History', signedIn: true },
  { path: '/inventory', label: 'Inventory', signedIn: true },
  { path: '/engraving', label: 'Engraving', signedIn: true },
  { path: '/scan', label: 'Scan', signedIn: true },
  { path: '/links', label: 'Links', signedIn: true },
  { path: '/public-pages', label: 'Public pages', signedIn: true },
  { path: '/webhooks', label: 'Webhooks', signedIn: true },
];

export function App() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const location = useLocation();
  const navigate = useNavigate();
  const session = useSession();
  // On a phone the navigation moves into a panel opened by the menu button.
  const [menuOpen, menu] = useDisclosure(false);
  const links = PAGES.filter((page) => !page.signedIn || session.me).map((page) => (
    <NavLink
      key={page.path}
      href={page.path}
      label={page.label}
      active={location.pathname.startsWith(page.path)}
      // Filled: the light variant's indigo text on pale indigo is below 4.5:1.
      variant="filled"
      onClick={(event) => {
        event.preventDefault();
        menu.close();
        void navigate(page.path);
      }}
    />
  ));
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !menuOpen, desktop: true } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Burger
              opened={menuOpen}
              onClick={menu.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={menuOpen ? 'Close navigation' : 'Open navigation'}
            />
            <Title order={1} size="h3">
              QR Forge
            </Title>
            <Group component="nav" aria-label="Main" gap={4} wrap="nowrap" visibleFrom="sm">
              {links}
            </Group>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {session.me ? (
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button
                    variant="default"
                    aria-label={`Account: ${session.me.email}`}
                    title={session.me.email}
                  >
                    Account
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {session.me.tenants.length > 1 && <Menu.Label>Tenant</Menu.Label>}
                  {session.me.tenants.length > 1 &&
                    session.me.tenants.map((tenant) => (
                      <Menu.Item
                        key={tenant.tenantId}
                        onClick={() => session.setTenant(tenant.tenantId)}
                        aria-current={tenant.tenantId === session.tenantId}
                      >
                        {tenant.name} ({tenant.role})
                        {tenant.tenantId === session.tenantId ? ' ✓' : ''}
                      </Menu.Item>
                    ))}
                  <Menu.Item onClick={() => void session.signOut()}>Sign out</Menu.Item>
                </Menu.Dropdown>
              </Menu>
            ) : (
              location.pathname !== '/sign-in' && (
                <Button variant="default" onClick={() => void navigate('/sign-in')}>
                  Sign in
                </Button>
              )
            )}
            <ActionIcon
              variant="default"
              size="lg"
              aria-label={scheme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
              onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
            >
              {scheme === 'dark' ? '☀' : '☾'}
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" hiddenFrom="sm">
        {/* Collapsed, the panel only slides out of view: its links must leave the tab order too. */}
        {menuOpen && <nav aria-label="Main (phone)">{links}</nav>}
      </AppShell.Navbar>
      <AppShell.Main>
        <main>
          <Suspense fallback={<Loader aria-label="Loading the page" />}>
            <Routes>
              <Route path="/generate" element={<GeneratorPage />} />
              <Route path="/sign-in" element={<SignInPage />} />
              <Route path="/batches" element={<BatchesPage />} />
              <Route path="/batches/:id" element={<BatchPage />} />
              <Route path="/history" element={<HistoryPage />} />
              <Route path="/webhooks" element={<WebhooksPage />} />
              <Route path="/links" element={<LinksPage />} />
              <Route path="/public-pages" element={<PublicPagesPage />} />
              <Route path="/engraving" element={<EngravingPage />} />
              <Route path="/engraving/jobs/:id" element={<EngravingJobPage />} />
              <Route path="/scan" element={<ScanSessionsPage />} />
              <Route path="/scan/:id" element={<ScanSessionPage />} />
              <Route path="/inventory" element={<InventoryLayout />}>
                <Route index element={<ItemsPage />} />
                <Route path="items/:uid" element={<ItemPage />} />
                <Route path="generate" element={<GenerateLotPage />} />
                <Route path="lots" element={<LotsPage />} />
                <Route path="types" element={<TypesPage />} />
                <Route path="analytics" element={<AnalyticsPage />} />
              </Route>
              <Route path="*" element={<Navigate to="/generate" replace />} />
            </Routes>
          </Suspense>
        </main>
      </AppShell.Main>
    </AppShell>
  );
}
