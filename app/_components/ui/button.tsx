import type { ButtonHTMLAttributes, Ref } from 'react';

// The app's buttons: one look per purpose, so pages say what a button is for, not how it is drawn.

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'quiet';
export type ButtonSize = 'xs' | 'sm' | 'md';

const VARIANTS: Record<ButtonVariant, string> = {
  primary: 'bg-emerald-600 font-medium text-white hover:bg-emerald-700',
  secondary: 'border border-slate-300 bg-white font-medium text-slate-700 hover:bg-slate-50',
  danger: 'border border-red-200 bg-white text-red-700 hover:bg-red-50',
  quiet: 'text-slate-600 hover:bg-slate-100',
};

const SIZES: Record<ButtonSize, string> = {
  xs: 'rounded px-2 py-0.5 text-xs',
  sm: 'rounded-md px-3 py-1.5 text-sm',
  md: 'rounded-md px-4 py-2 text-sm',
};

const BASE = 'focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none disabled:opacity-60';

/** The classes of a button, for links and labels that look like one. */
export function buttonClass(variant: ButtonVariant = 'secondary', size: ButtonSize = 'sm'): string {
  return `${SIZES[size]} ${VARIANTS[variant]} ${BASE}`;
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  ref?: Ref<HTMLButtonElement>;
}

/** A button; `type="button"` unless told otherwise, so it never submits a form by accident. */
export function Button({ variant = 'secondary', size = 'sm', className = '', type = 'button', ...rest }: ButtonProps) {
  return <button type={type} className={`${buttonClass(variant, size)} ${className}`} {...rest} />;
}
