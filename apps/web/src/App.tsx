/** The application shell: header with navigation and the theme toggle, and the pages. */
import {
  ActionIcon,
  AppShell,
  Group,
  NavLink,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { GeneratorPage } from './generator/GeneratorPage.js';

const PAGES = [{ path: '/generate', label: 'Generate' }];

export function App() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Title order={1} size="h3">
              QR Forge
            </Title>
            <nav aria-label="Main">
              <Group gap={4} wrap="nowrap">
                {PAGES.map((page) => (
                  <NavLink
                    key={page.path}
                    href={page.path}
                    label={page.label}
                    active={location.pathname.startsWith(page.path)}
                    onClick={(event) => {
                      event.preventDefault();
                      void navigate(page.path);
                    }}
                  />
                ))}
              </Group>
            </nav>
          </Group>
          <ActionIcon
            variant="default"
            size="lg"
            aria-label={scheme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
            onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
          >
            {scheme === 'dark' ? '☀' : '☾'}
          </ActionIcon>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <main>
          <Routes>
            <Route path="/generate" element={<GeneratorPage />} />
            <Route path="*" element={<Navigate to="/generate" replace />} />
          </Routes>
        </main>
      </AppShell.Main>
    </AppShell>
  );
}
