// What Meta's delivery error codes mean, and what an agent or admin can do about them: one line each,
// for the error log and the charts. Codes we do not know show Meta's own title and message instead.
// Source: Meta's "Cloud API error codes" reference.

export interface ErrorExplanation {
  code: number;
  /** What happened, in plain words. */
  summary: string;
  /** What to do about it. */
  action: string;
}

const EXPLANATIONS: Record<number, Omit<ErrorExplanation, 'code'>> = {
  131047: {
    summary: 'The 24-hour customer service window has closed: the customer has not written in the last 24 hours.',
    action: 'Send an approved template message instead; free-form replies work again once the customer answers.',
  },
  470: {
    summary: 'The 24-hour customer service window has closed (older code for 131047).',
    action: 'Send an approved template message instead.',
  },
  131026: {
    summary: "The number can't receive this message: not on WhatsApp, an outdated app, or terms not accepted.",
    action: 'Check the number with the customer, or reach them another way; do not keep retrying.',
  },
  130429: {
    summary: 'Rate limit: messages were sent faster than this number’s throughput allows.',
    action: 'Slow down and retry with backoff; bursts are queued better than sent at once.',
  },
  131056: {
    summary: 'Too many messages to this one customer in a short time (pair rate limit).',
    action: 'Wait a little before writing to this customer again.',
  },
  131048: {
    summary: 'Spam rate limit: too many recent messages were blocked or reported by customers.',
    action: 'Check the number’s quality rating in WhatsApp Manager and send less, better-targeted messages.',
  },
  131049: {
    summary: 'Meta chose not to deliver this marketing message, to keep the customer’s experience healthy.',
    action: 'Do not resend at once; try later or with a different template.',
  },
  131050: {
    summary: 'The customer has stopped marketing messages from this business.',
    action: 'Respect the opt-out: send only service or utility messages.',
  },
  130472: {
    summary: "The customer's number is part of a Meta experiment that holds back marketing messages.",
    action: 'Nothing to fix on our side; use another channel if the message matters.',
  },
  131051: { summary: 'This message type is not supported.', action: 'Send the content as a supported type (text, media, template).' },
  131052: { summary: 'The media in the customer’s message could not be downloaded.', action: 'Ask the customer to send it again.' },
  131053: {
    summary: 'The media could not be uploaded: unsupported type or too large.',
    action: 'Check the file’s type and size against WhatsApp’s media limits (voice notes must be OGG/Opus; images JPEG or PNG).',
  },
  131042: {
    summary: 'Payment problem on the WhatsApp Business Account.',
    action: 'An admin should fix the payment method in Meta Business Manager.',
  },
  131031: {
    summary: 'The business account has been locked or restricted.',
    action: 'An admin should check Account Quality in WhatsApp Manager.',
  },
  131045: { summary: 'The phone number is not properly registered (certificate).', action: 'Re-register the number in WhatsApp Manager.' },
  133010: { summary: 'The phone number is not registered with the Cloud API.', action: 'Register the number before sending.' },
  131057: { summary: 'The business account is in maintenance mode.', action: 'Wait and retry later.' },
  131000: {
    summary: 'Meta could not send the message for an unknown reason.',
    action: 'Retry later; if it persists, check Meta’s status page.',
  },
  131016: { summary: 'The WhatsApp service is temporarily unavailable.', action: 'Retry later.' },
  131005: {
    summary: 'Access denied: the token lacks permission for this number.',
    action: 'An admin should check the access token’s permissions.',
  },
  131008: { summary: 'A required parameter is missing from the request.', action: 'Fix the sending integration.' },
  131009: { summary: 'A parameter value is invalid.', action: 'Fix the sending integration.' },
  131021: { summary: 'The recipient is the sending number itself.', action: 'Send to a customer’s number.' },
  132000: {
    summary: 'The template’s parameters do not match its placeholders.',
    action: 'Send exactly the parameters the template expects.',
  },
  132001: {
    summary: 'The template does not exist in that name and language, or is not approved.',
    action: 'Check the template’s name, language and status.',
  },
  132005: { summary: 'The template’s text is too long once filled in.', action: 'Shorten the parameters.' },
  132007: { summary: 'The template’s content breaks WhatsApp policy.', action: 'Edit the template and submit it again.' },
  132012: { summary: 'A template parameter has the wrong format.', action: 'Send parameters in the format the template defines.' },
  132015: { summary: 'The template is paused because of low quality.', action: 'Improve or replace the template.' },
  132016: { summary: 'The template is disabled after repeated low quality.', action: 'Create a new template.' },
  368: {
    summary: 'The account is temporarily blocked for policy violations.',
    action: 'An admin should check Account Quality in WhatsApp Manager.',
  },
  190: { summary: 'The access token has expired or is invalid.', action: 'An admin should issue a new access token.' },
  80007: { summary: 'The business account hit its API rate limit.', action: 'Slow down and retry with backoff.' },
  4: { summary: 'The app hit its API call limit.', action: 'Slow down and retry with backoff.' },
  // The send side (shared/meta/send-side.md §1.8, from Meta's error-codes page via pywa, niswey and YCloud).
  0: {
    summary: 'Meta could not authenticate the request: the access token was refused.',
    action: 'An admin should issue a new access token (WHATSAPP_ACCESS_TOKEN).',
  },
  1: {
    summary: 'Meta reported an unknown error: an invalid request or a problem on its side.',
    action: 'Check Meta’s WhatsApp Business Platform status page; if it is fine, send the message again later.',
  },
  2: {
    summary: 'WhatsApp was temporarily unavailable (downtime or overload).',
    action: 'Wait and send again; Meta’s status page says when it is back.',
  },
  10: {
    summary: 'Permission denied: the access token lacks a permission this needs.',
    action: 'An admin should give the token whatsapp_business_messaging (and management) permission for this number.',
  },
  100: {
    summary: 'Meta refused a parameter of the request as invalid or unsupported.',
    action: 'Check the message’s content (and the template’s name, language and variables); Meta’s details name the parameter.',
  },
  131030: {
    summary: 'The recipient is not on the test number’s list of allowed recipients.',
    action: 'Add the number to the allowed list in the App Dashboard, or send from a production number.',
  },
  131062: {
    summary: 'This message cannot be sent to a customer known only by their business-scoped user id.',
    action: 'Send it to the customer’s phone number, or choose another kind of message.',
  },
};

/** Meta's permission codes 200–299: one explanation for the range. */
const PERMISSION_RANGE: Omit<ErrorExplanation, 'code'> = {
  summary: 'Permission denied: the app or token is not allowed to do this for this number or account.',
  action: 'An admin should check the app’s permissions and the token’s access to this WhatsApp Business Account.',
};

/** The explanation for a code, or null for codes we do not know (show Meta's title and message then). */
export function explainErrorCode(code: number | null | undefined): ErrorExplanation | null {
  if (code === null || code === undefined) return null;
  const known = EXPLANATIONS[code] ?? (code >= 200 && code <= 299 ? PERMISSION_RANGE : undefined);
  return known ? { code, ...known } : null;
}
