import { describe, expect, it } from 'vitest';
import { mentionsName, resolveMentions } from '@/lib/inbox/mentions';

// Who a note mentions by "@Name": whole names, whatever their case, wherever they stand.

describe('mentions', () => {
  it('finds a whole @Name whatever its case, at the start, after punctuation or a space', () => {
    expect(mentionsName('@Ana can you look?', 'Ana')).toBe(true);
    expect(mentionsName('ping (@ana silva)', 'Ana Silva')).toBe(true);
    expect(mentionsName('thanks @ANA.', 'Ana')).toBe(true);
    expect(mentionsName('hey @Zoë!', 'zoë')).toBe(true);
  });

  it('does not find a name that runs on, one without the @, or one inside an address', () => {
    expect(mentionsName('@Anabel is here', 'Ana')).toBe(false);
    expect(mentionsName('Ana is here', 'Ana')).toBe(false);
    expect(mentionsName('mail ana@Bo.example', 'Bo')).toBe(false);
    expect(mentionsName('@Ana', '')).toBe(false);
    // A name with characters a regular expression treats specially is matched as written.
    expect(mentionsName('@J.R. (ops)', 'J.R. (ops)')).toBe(true);
    expect(mentionsName('@JxR', 'J.R')).toBe(false);
  });

  it('joins the picked ids and the named people, each once, in the team order, only people of the team', () => {
    const team = [
      { id: 'a', name: 'Ana' },
      { id: 'b', name: 'Bo' },
      { id: 'c', name: 'Cy' },
    ];
    expect(resolveMentions('@bo and @Bo again', ['c', 'b', 'zz'], team)).toEqual([
      { id: 'b', name: 'Bo' },
      { id: 'c', name: 'Cy' },
    ]);
    expect(resolveMentions('nobody', [], team)).toEqual([]);
  });
});
