'use client';
import { createAuthClient } from 'better-auth/react';

// The browser side of better-auth: sign-in and sign-out against /api/auth on this origin.
export const authClient = createAuthClient();
