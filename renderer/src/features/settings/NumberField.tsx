import { useState } from 'react';

/**
 * A labelled number input that only ever reports a value inside [min, max]; an empty or non-numeric entry reports
 * `fallback`. Settings has several; the clamping lives here once, and says so when it changed what was typed.
 */
export function NumberField({
  id,
  label,
  min,
  max,
  fallback,
  value,
  onChange,
  hint,
}: {
  id: string;
  label: string;
  min: number;
  max: number;
  fallback: number;
  value: number;
  onChange: (value: number) => void;
  hint?: React.ReactNode;
}) {
  const [note, setNote] = useState<string>();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={value}
        aria-describedby={note ? `${id}-note` : undefined}
        onChange={(e) => {
          const typed = Number(e.target.value);
          const next = Math.max(min, Math.min(max, typed || fallback));
          setNote(
            typed > max
              ? `${max} is the most this setting takes`
              : typed && typed < min
                ? `${min} is the least`
                : undefined,
          );
          onChange(next);
        }}
      />
      <span id={`${id}-note`} className="small field-note" role="status">
        {note}
      </span>
      {hint && <span className="small muted">{hint}</span>}
    </div>
  );
}
