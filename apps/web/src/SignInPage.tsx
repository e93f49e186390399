/**
 * Sign-in: e-mail and password; the server's message (wrong password, throttled) shown as is.
 * On a fresh server nobody can sign in yet: opened on the server machine itself, this page
 * creates the first account instead (it becomes the administrator).
 */
import {
  Alert,
  Button,
  Card,
  Loader,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from './api/client.js';
import { useSession } from './session.js';

/** The server's minimum (PASSWORD_MIN_LENGTH); it checks again and names any other problem. */
const MIN_PASSWORD = 10;

export function SignInPage() {
  const setup = useQuery({
    queryKey: ['setup'],
    queryFn: async () => (await api.GET('/api/v1/setup')).data ?? { needed: false, allowed: false },
  });
  if (setup.isPending) return <Loader aria-label="Loading" mx="auto" mt="xl" display="block" />;
  if (setup.data?.needed && setup.data.allowed) return <SetupForm />;
  return <SignInForm setupElsewhere={setup.data?.needed} />;
}

function SignInForm({ setupElsewhere }: { setupElsewhere?: boolean }) {
  const session = useSession();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useAccountAction(async () => {
    await session.signIn(email, password);
    void navigate('/generate');
  });

  return (
    <Card withBorder maw={420} mx="auto" mt="xl">
      <form onSubmit={(event) => void submit(event)}>
        <Stack>
          <Title order={2}>Sign in</Title>
          {setupElsewhere && (
            <Alert color="blue" title="Nobody can sign in yet">
              Create the first account by opening this page on the server machine itself
              (http://localhost), or start the server with QRFORGE_ADMIN_EMAIL and
              QRFORGE_ADMIN_PASSWORD.
            </Alert>
          )}
          <TextInput
            label="E-mail"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert" title="Could not sign in">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function SetupForm() {
  const session = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [organisation, setOrganisation] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const short = password.length > 0 && [...password].length < MIN_PASSWORD;
  const mismatch = repeat.length > 0 && repeat !== password;
  const { submit, busy, error } = useAccountAction(async () => {
    await session.setUp({ email, password, organisation: organisation.trim() || 'Default' });
    queries.setQueryData(['setup'], { needed: false, allowed: true });
    void navigate('/generate');
  }, !short && !mismatch);

  return (
    <Card withBorder maw={480} mx="auto" mt="xl">
      <form onSubmit={(event) => void submit(event)}>
        <Stack>
          <Title order={2}>Welcome to QR Forge</Title>
          <Text>
            Nobody can sign in yet. Create the first account: it becomes the administrator, who can
            save codes, run batches and add people later.
          </Text>
          <TextInput
            label="Organisation"
            placeholder="Default"
            value={organisation}
            onChange={(e) => setOrganisation(e.currentTarget.value)}
          />
          <TextInput
            label="E-mail"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            description={`At least ${MIN_PASSWORD} characters; not a common password`}
            autoComplete="new-password"
            required
            value={password}
            error={short ? `At least ${MIN_PASSWORD} characters` : undefined}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <PasswordInput
            label="Repeat the password"
            autoComplete="new-password"
            required
            value={repeat}
            error={mismatch ? 'The passwords differ' : undefined}
            onChange={(e) => setRepeat(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert" title="Could not create the account">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Create the account
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

/** Submitting a form that signs in: busy while it runs, the server's message when it fails. */
function useAccountAction(action: () => Promise<void>, ready = true) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }
  return { submit, busy, error };
}
