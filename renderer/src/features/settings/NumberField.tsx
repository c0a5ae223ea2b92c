/**
 * A labelled number input that only ever reports a value inside [min, max]; an empty or non-numeric entry reports
 * `fallback`. Settings has several; the clamping lives here once.
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
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange(Math.max(min, Math.min(max, Number(e.target.value) || fallback)))}
      />
      {hint && <span className="small muted">{hint}</span>}
    </div>
  );
}
