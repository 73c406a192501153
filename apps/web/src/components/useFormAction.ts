import { useState, type SyntheticEvent } from 'react';

export interface FormAction {
  /** The form's onSubmit: runs the action unless one is already running. */
  readonly submit: (event: SyntheticEvent) => void;
  /** True while the action runs (the submit button is disabled). */
  readonly busy: boolean;
  /** The last attempt's failure (an ApiError for the API's answers), cleared on the next attempt. */
  readonly error: unknown;
  /** True once the last attempt succeeded (a "saved" status), cleared on the next attempt. */
  readonly done: boolean;
}

/**
 * The submit wiring every console form shares: prevent the page load, one attempt at a time,
 * busy while it runs, the error or the success of the last attempt. What the form's fields hold
 * stays with the form: a failed attempt keeps the user's input so a typo is fixed in place.
 */
export function useFormAction(action: () => Promise<unknown>): FormAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(false);
    action()
      .then(() => setDone(true))
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { submit, busy, error, done };
}
