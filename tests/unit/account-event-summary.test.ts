import { describe, expect, it } from 'vitest';
import { summarizeAccountEvent } from '@/lib/error-log/account-event-summary';
import { prettyBody } from '@/lib/error-log/api';

describe('summarizeAccountEvent', () => {
  const template = (event: string, extra: Record<string, unknown> = {}) => ({
    field: 'message_template_status_update',
    eventType: event,
    payload: {
      event,
      message_template_id: 987654321,
      message_template_name: 'order_update',
      message_template_language: 'en_US',
      reason: 'NONE',
      ...extra,
    },
  });

  it('describes template decisions', () => {
    expect(summarizeAccountEvent(template('APPROVED'))).toEqual({
      title: 'Template status',
      text: 'Template "order_update" (en_US) APPROVED',
      tone: 'good',
    });
    const rejected = summarizeAccountEvent(
      template('REJECTED', {
        reason: 'INVALID_FORMAT',
        other_info: { title: 'Template rejected', description: 'Variables must not be at the start or end.' },
      }),
    );
    expect(rejected.text).toBe(
      'Template "order_update" (en_US) REJECTED — reason: invalid format — Variables must not be at the start or end.',
    );
    expect(rejected.tone).toBe('bad');
    expect(summarizeAccountEvent(template('PAUSED')).text).toBe('Template "order_update" (en_US) PAUSED');
    expect(summarizeAccountEvent(template('PAUSED')).tone).toBe('bad');
  });

  it('describes quality changes', () => {
    expect(
      summarizeAccountEvent({
        field: 'phone_number_quality_update',
        eventType: 'FLAGGED',
        payload: { display_phone_number: '15550783881', event: 'FLAGGED', current_quality: 'YELLOW' },
      }),
    ).toMatchObject({ text: 'Phone number +15550783881 quality changed to YELLOW', tone: 'warning' });
    expect(
      summarizeAccountEvent({
        field: 'phone_number_quality_update',
        eventType: 'UPGRADE',
        payload: { display_phone_number: '15550783881', event: 'UPGRADE', current_limit: 'TIER_10K', old_limit: 'TIER_2K' },
      }).text,
    ).toBe('Phone number +15550783881 quality update: upgrade, messaging limit TIER_2K → TIER_10K');
    expect(
      summarizeAccountEvent({
        field: 'message_template_quality_update',
        eventType: 'YELLOW',
        payload: {
          previous_quality_score: 'GREEN',
          new_quality_score: 'YELLOW',
          message_template_name: 'order_update',
          message_template_language: 'en_US',
        },
      }).text,
    ).toBe('Template "order_update" (en_US) quality changed from GREEN to YELLOW');
  });

  it('describes account restrictions, violations and bans', () => {
    const restriction = summarizeAccountEvent({
      field: 'account_update',
      eventType: 'ACCOUNT_RESTRICTION',
      payload: {
        phone_number: '15550783881',
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: '1' }],
      },
    });
    expect(restriction).toMatchObject({
      text: 'Account restriction — restricted biz initiated messaging — number +15550783881',
      tone: 'bad',
    });
    expect(
      summarizeAccountEvent({
        field: 'account_update',
        eventType: 'ACCOUNT_VIOLATION',
        payload: { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'ADULT' } },
      }).text,
    ).toBe('Account violation — violation: adult');
    expect(
      summarizeAccountEvent({
        field: 'account_update',
        eventType: 'DISABLED_UPDATE',
        payload: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2026-01-01' } },
      }).text,
    ).toBe('Account update: disabled update — ban state: disable — since 2026-01-01');
  });

  it('describes value-level errors with code and message', () => {
    expect(
      summarizeAccountEvent({
        field: 'errors',
        eventType: '131000',
        payload: {
          field: 'messages',
          error: { code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'Unknown error' } },
        },
      }),
    ).toEqual({ title: 'Webhook error', text: 'Error 131000: Something went wrong — Unknown error — in messages', tone: 'bad' });
  });

  it('describes how far the chat history sync got', () => {
    expect(
      summarizeAccountEvent({
        field: 'history',
        eventType: 'progress_55',
        payload: { phase: 0, chunkOrder: 1, progress: 55, threads: 3, messages: 41 },
      }),
    ).toEqual({ title: 'Chat history', text: 'Chat history sync 55% done — 41 past messages added — phase 0', tone: 'info' });
  });

  it('names the field and event type of anything else, whatever the payload holds', () => {
    expect(summarizeAccountEvent({ field: 'some_future_field', eventType: 'SOMETHING_NEW', payload: { detail: [1] } }).text).toBe(
      'some_future_field: SOMETHING_NEW',
    );
    expect(summarizeAccountEvent({ field: 'some_future_field', eventType: null, payload: null }).text).toBe('some_future_field');
    for (const payload of [null, 42, 'x', [1, 2], { event: { nested: true } }, { message_template_name: ['x'] }]) {
      for (const field of [
        'message_template_status_update',
        'phone_number_quality_update',
        'account_update',
        'errors',
        'account_alerts',
        'invalid_item',
      ]) {
        const summary = summarizeAccountEvent({ field, eventType: null, payload });
        expect(summary.text.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('prettyBody', () => {
  it('pretty-prints JSON and keeps anything else as text', () => {
    expect(prettyBody(Buffer.from('{"a":[1,"<b>"]}'))).toEqual({ text: '{\n  "a": [\n    1,\n    "<b>"\n  ]\n}', isJson: true });
    expect(prettyBody(Buffer.from('not json <script>'))).toEqual({ text: 'not json <script>', isJson: false });
    expect(prettyBody(new Uint8Array([0xff, 0x41])).text).toBe('\uFFFDA');
  });
});
