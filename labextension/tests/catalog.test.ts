import { describe, expect, it } from 'vitest';

import { CATALOG, colourOf, conditionLabel, conditionNames, findType } from '../src/catalog';

describe('the node catalogue shipped with the extension', () => {
  it('finds a type by key, display name or id, as get_type does', () => {
    expect(findType('boolean')?.key).toBe('boolean');
    expect(findType('AI - Boolean')?.key).toBe('boolean');
    expect(findType(5)?.key).toBe('boolean');
    expect(findType(' Text_Input ')?.key).toBe('text_input');
    expect(findType('bool')).toBeUndefined();
    expect(findType(undefined)).toBeUndefined();
  });

  it('colours by family, grey for a type it does not know', () => {
    expect(colourOf('boolean')).toBe(CATALOG.family_colours.ai);
    expect(colourOf('http_output')).toBe('#fd7e14');
    expect(colourOf('AI - Vision')).toBe('#6f42c1');
    expect(colourOf('plugin_type')).toBe('#6c757d');
  });

  it('labels a condition by its short name, as the Python picture does', () => {
    expect(conditionLabel('boolean_true')).toBe('true');
    expect(conditionLabel('human_feedback_text_ok')).toBe('ok');
    expect(conditionLabel('label:billing')).toBe('label:billing');
    expect(conditionLabel('error')).toBe('error');
  });

  it('knows every name of a condition', () => {
    const type = findType('http_output')!;
    expect(type.conditions.flatMap(conditionNames)).toContain('status_not_200');
    expect(conditionNames({ id: 20201, system_name: 'status_200', aliases: ['200', 'ok'] })).toEqual([
      'status_200',
      '200',
      'ok',
      '20201'
    ]);
  });
});
