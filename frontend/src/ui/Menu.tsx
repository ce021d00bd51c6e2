import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { menuIndex } from "./focus";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  danger?: boolean;
}

interface MenuProps {
  label: string;
  items: (MenuItem | "separator")[];
  /** Page coordinates of the menu's top-left corner. */
  at: { x: number; y: number };
  onClose: () => void;
}

/** A popup menu (`role="menu"`): arrows move, Enter/Space choose, Escape or a click outside closes. */
export function Menu({ label, items, at, onClose }: MenuProps) {
  const ref = useRef<HTMLUListElement>(null);
  const [pos, setPos] = useState(at);
  const enabled = items.filter((i): i is MenuItem => i !== "separator" && !i.disabled);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    setPos({
      x: Math.max(4, Math.min(at.x, window.innerWidth - r.width - 4)),
      y: Math.max(4, Math.min(at.y, window.innerHeight - r.height - 4)),
    });
    el.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
  }, [at.x, at.y]);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onBlur = () => onClose();
    document.addEventListener("mousedown", onDown);
    window.addEventListener("blur", onBlur);
    window.addEventListener("resize", onBlur);
    return () => {
      document.removeEventListener("mousedown", onDown);
      window.removeEventListener("blur", onBlur);
      window.removeEventListener("resize", onBlur);
    };
  }, [onClose]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const nodes = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? []);
    const current = nodes.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape" || e.key === "Tab") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    const next = menuIndex(nodes.length, current, e.key);
    if (next !== null) {
      e.preventDefault();
      nodes[next]?.focus();
    }
  };

  const choose = (item: MenuItem) => {
    if (item.disabled) return;
    onClose();
    item.onSelect();
  };

  return createPortal(
    <ul
      ref={ref}
      className="menu"
      role="menu"
      aria-label={label}
      style={{ left: pos.x, top: pos.y }}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      {items.map((item, i) =>
        item === "separator" ? (
          <li key={`sep-${i}`} role="separator" className="menu-separator" />
        ) : (
          <li
            key={item.label}
            role="menuitem"
            tabIndex={-1}
            aria-disabled={item.disabled || undefined}
            className={`menu-item${item.danger ? " danger" : ""}`}
            onClick={() => choose(item)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                choose(item);
              }
            }}
          >
            {item.label}
          </li>
        ),
      )}
      {enabled.length === 0 && <li className="menu-empty">No actions</li>}
    </ul>,
    document.body,
  );
}
