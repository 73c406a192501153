import { useId, type ReactNode } from 'react';

/**
 * A label tied to its control by id rather than by nesting: a nested select or input would add its
 * current value to the control's accessible name ("Status Any status").
 */
export function Field({ label, children }: { label: ReactNode; children: (id: string) => ReactNode }): ReactNode {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
