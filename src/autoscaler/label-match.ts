/** Label selectors of PDBs, through apimachinery's parser; an invalid selector matches nothing. */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromObject } from '../apimachinery/label-selector.js';

export function isMatch(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  try {
    return labelSelectorFromObject(selector as Parameters<typeof labelSelectorFromObject>[0]).matches(labels);
  } catch {
    return false;
  }
}
