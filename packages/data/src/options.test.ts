import { describe, expect, it } from 'vitest';
import { alignCsv, inspectCsv, loadDataset, loadJson, parseCsv, readText, trainTestSplit } from './index.js';

/** a CvxnnError INVALID_OPTION whose message is (or matches) `message` */
const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });

describe('the loaders refuse option keys they do not know, naming the call', () => {
  it('a misspelt key, with the key it most likely meant', () => {
    expect(() => parseCsv('a,y\n1,2\n', { labelcolumn: 'y' } as never)).toThrow(
      invalid("parseCsv: unknown option 'labelcolumn' (did you mean 'labelColumn'?); known options: labelColumn, header, task, delimiter, name, missing, classes, maxBytes"),
    );
    expect(() => loadDataset('wine', { test: 0.2 } as never)).toThrow(invalid(expect.stringMatching(/^loadDataset: unknown option 'test'/)));
    expect(() => inspectCsv('a,y\n1,2\n', { delim: ';' } as never)).toThrow(invalid(expect.stringContaining("inspectCsv: unknown option 'delim' (did you mean 'delimiter'?)")));
    expect(() => loadJson('[[1, 2]]', { headers: true } as never)).toThrow(invalid(expect.stringContaining("loadJson: unknown option 'headers' (did you mean 'header'?)")));
    expect(() => alignCsv('a\n1\n', { featureNames: ['a'], task: 'regression' }, { drop: true } as never)).toThrow(invalid(expect.stringContaining("alignCsv: unknown option 'drop'")));
    expect(() => readText('x.csv', { limit: 5 } as never)).toThrow(invalid(expect.stringContaining("readText: unknown option 'limit'")));
  });
  it('a value of the wrong type', () => {
    // header: 'false' is a truthy string: it would not mean "no header"
    expect(() => parseCsv('a,y\n1,2\n', { header: 'false' } as never)).toThrow(invalid("parseCsv: option 'header' must be a boolean or 'auto', got string 'false'"));
    expect(() => trainTestSplit(loadDataset('wine'), 0.25, 0, { stratified: true } as never)).toThrow(invalid(expect.stringContaining("trainTestSplit: unknown option 'stratified' (did you mean 'stratify'?)")));
  });
  it('valid options still load: wine has 178 rows and 3 classes (UCI)', () => {
    const ds = loadDataset('wine', { task: 'auto' });
    expect(ds.X.rows).toBe(178);
    expect(ds.classes).toHaveLength(3);
  });
});
