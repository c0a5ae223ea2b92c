/**
 * Short notices with an optional action (Undo), announced to screen readers through a polite live region.
 * At most two are shown (older ones give way) so they never pile up over the screen's own buttons. A notice with an
 * action is reachable from the keyboard: when the click that caused it removed the focused element (a deleted row),
 * focus moves to the action; and Ctrl/Cmd+Z runs the newest Undo unless the screen handled the key itself.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';

interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
  action?: { label: string; run: () => void };
}

type Notify = (text: string, options?: { tone?: Toast['tone']; action?: Toast['action']; ms?: number }) => void;

const ToastContext = createContext<Notify>(() => {});
const MAX_VISIBLE = 2;

export function useToast(): Notify {
  return useContext(ToastContext);
}

function focusIsLost(): boolean {
  const a = document.activeElement;
  return !a || a === document.body || !a.isConnected;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const actionButtons = useRef(new Map<number, HTMLButtonElement>());
  const newestAction = useRef<number>(undefined);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const notify = useCallback<Notify>(
    (text, options = {}) => {
      const id = next.current++;
      if (options.action) newestAction.current = id;
      setToasts((t) => [
        ...t.slice(-(MAX_VISIBLE - 1)),
        { id, text, tone: options.tone ?? 'info', action: options.action },
      ]);
      setTimeout(() => dismiss(id), options.ms ?? (options.action ? 8000 : 4000));
    },
    [dismiss],
  );

  // A new action toast takes the focus only when the focus was lost (its element was removed), never from a field;
  // before it is painted (a layout effect), so a key pressed as soon as the toast shows reaches its button.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each change of the list, once its buttons exist
  useLayoutEffect(() => {
    const id = newestAction.current;
    if (id === undefined) return;
    const button = actionButtons.current.get(id);
    if (button && focusIsLost()) button.focus();
    newestAction.current = undefined;
  }, [toasts]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.key.toLowerCase() !== 'z') return;
      if ((e.target as HTMLElement | null)?.closest?.('input, textarea, [contenteditable]')) return;
      const undo = [...toasts].reverse().find((t) => t.action?.label === 'Undo');
      if (!undo) return;
      e.preventDefault();
      undo.action?.run();
      dismiss(undo.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toasts, dismiss]);

  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.tone}`} data-testid="toast">
            <span>{t.text}</span>
            {t.action && (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                ref={(el) => {
                  if (el) actionButtons.current.set(t.id, el);
                  else actionButtons.current.delete(t.id);
                }}
                onClick={() => {
                  t.action?.run();
                  dismiss(t.id);
                }}
              >
                {t.action.label}
              </button>
            )}
            <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
