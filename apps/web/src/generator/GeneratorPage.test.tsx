// @vitest-environment jsdom
/** The generator's form validates as you type, with the message next to the field. */
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render.js';
import { GeneratorPage } from './GeneratorPage.js';

describe('generator page', () => {
  it('shows the engine’s message next to a wrong field, and the preview once it is right', async () => {
    const user = userEvent.setup();
    renderWithProviders(<GeneratorPage />);
    const url = screen.getByRole('textbox', { name: /URL/ });
    expect(screen.queryByTestId('preview')).toBeNull();

    await user.type(url, 'not a url');
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    const [messageId] = (url.getAttribute('aria-describedby') ?? '').split(' ');
    const message = document.getElementById(messageId ?? '');
    expect(message?.textContent).toMatch(/URL/i);
    expect(screen.queryByTestId('preview')).toBeNull();

    await user.clear(url);
    await user.type(url, 'https://example.com/part/42');
    await waitFor(() => expect(url.getAttribute('aria-invalid')).not.toBe('true'));
    expect(screen.getByTestId('preview').getAttribute('data-content')).toBe(
      'https://example.com/part/42',
    );
  });

  it('names a required field left empty only once it was touched', async () => {
    const user = userEvent.setup();
    renderWithProviders(<GeneratorPage />);
    const url = screen.getByRole('textbox', { name: /URL/ });
    expect(url.getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.getByRole('status').textContent).toBe('Fill in the form to see the code');
    await user.type(url, 'x');
    await user.clear(url);
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('status').textContent).toBe('Correct the form to see the code');
  });

  it('warns when the colours are too close to scan', async () => {
    const user = userEvent.setup();
    renderWithProviders(<GeneratorPage />);
    expect(screen.queryByText('Low contrast')).toBeNull();
    const dark = screen.getByRole('textbox', { name: 'Dark colour' });
    await user.clear(dark);
    await user.type(dark, '#dddddd');
    expect(await screen.findByText('Low contrast')).toBeTruthy();
    expect(screen.getByText(/Contrast 1\.\d:1/)).toBeTruthy();
  });
});
