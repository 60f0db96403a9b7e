import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

// Form fields: one border, one focus ring. A field with its visible label is a `Field`.

export type FieldSize = 'xs' | 'sm' | 'md';

const SIZES: Record<FieldSize, string> = {
  xs: 'px-2 py-1 text-sm',
  sm: 'px-2 py-1.5 text-sm',
  md: 'px-3 py-2 text-sm',
};

/** The classes of a text field or select; layout (width, margin) comes from the caller. */
export function fieldClass(size: FieldSize = 'md'): string {
  return `rounded-md border border-slate-300 bg-white ${SIZES[size]} focus:border-emerald-500 focus:ring-2 focus:ring-emerald-200 focus:outline-none`;
}

export function Input({ fieldSize, className = '', ...rest }: InputHTMLAttributes<HTMLInputElement> & { fieldSize?: FieldSize }) {
  return <input className={`${fieldClass(fieldSize)} ${className}`} {...rest} />;
}

export function Select({ fieldSize, className = '', ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { fieldSize?: FieldSize }) {
  return <select className={`${fieldClass(fieldSize)} ${className}`} {...rest} />;
}

/** A label above its control (the control is inside the label, so it is named by it). */
export function Field({ label, className = '', children }: { label: ReactNode; className?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children
    <label className={`block text-sm font-medium text-slate-700 ${className}`}>
      {label}
      {children}
    </label>
  );
}
