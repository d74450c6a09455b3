// Operator actions need the bearer token: asked for once in a dialog, kept in sessionStorage (so it
// goes with the tab), dropped when the server answers 401.

import {ApiError, token} from './api';

const dialog = () => document.getElementById('token-dialog') as HTMLDialogElement;

/** Asks for the token; resolves with what was typed ('' = send without), or null when cancelled. */
export function askToken(reason: string): Promise<string|null> {
  const d = dialog();
  const input = d.querySelector('input') as HTMLInputElement;
  const why = d.querySelector('.dialog-reason') as HTMLElement;
  why.textContent = reason;
  input.value = '';
  return new Promise((resolve) => {
    const done = () => {
      d.removeEventListener('close', done);
      resolve(d.returnValue === 'send' ? input.value.trim() : null);
    };
    d.addEventListener('close', done);
    d.showModal();
    input.focus();
  });
}

/**
 * Runs an operator action with the token, asking for it first when none is kept. Throws the
 * server's ApiError; on 401 the kept token is dropped so the next action asks again.
 */
export async function authorised<T>(what: string, action: () => Promise<T>): Promise<T|null> {
  if (!token.get()) {
    const typed = await askToken(what);
    if (typed === null) return null;
    token.set(typed);
  }
  try {
    return await action();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) token.clear();
    throw e;
  } finally {
    document.dispatchEvent(new Event('citybrain:token'));
  }
}
