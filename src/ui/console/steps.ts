// The seed guide's "Local and Outbound Authentication Configuration" without JavaScript: the steps form
// posts the whole draft (checked authenticators per step, the subject and attribute steps) with the button
// pressed. "Add step" and "Remove step" answer with the edited draft, unsaved; "Save" hands it to the
// application service, whose refusal (e.g. TOTP in the first step) is shown above the form with the draft kept.
import { sequenceOf, type AuthenticationSequence } from '../../applications/application.ts';
import type { Authenticator } from '../../authenticators/authenticator.ts';
import { text, values, type Form } from './forms.ts';

/** The largest draft the form keeps; the application service allows fewer steps and says so on save. */
const MAX_DRAFT_STEPS = 20;

export interface StepsDraft {
  /** Authenticator names per step (step 1 first). */
  steps: string[][];
  subjectStepId: number;
  attributeStepId: number;
}

export function draftOf(sequence: AuthenticationSequence): StepsDraft {
  return {
    steps: sequence.steps.map((s) => s.options.map((o) => o.authenticator)),
    subjectStepId: sequence.subjectStepId,
    attributeStepId: sequence.attributeStepId,
  };
}

function stepNumber(raw: string, count: number): number {
  const n = Number.parseInt(raw, 10);
  return Number.isSafeInteger(n) && n >= 1 && n <= count ? n : 1;
}

/** The draft as posted: `stepCount`, `step{N}` (repeated, one per checked authenticator), and the two radios. */
export function draftFromForm(form: Form): StepsDraft {
  const n = Number.parseInt(text(form, 'stepCount'), 10);
  const count = Number.isSafeInteger(n) ? Math.min(Math.max(n, 1), MAX_DRAFT_STEPS) : 1;
  const steps = Array.from({ length: count }, (_, i) => [...new Set(values(form, `step${i + 1}`).map((v) => v.slice(0, 128)))]);
  return { steps, subjectStepId: stepNumber(text(form, 'subjectStepId'), count), attributeStepId: stepNumber(text(form, 'attributeStepId'), count) };
}

/** Applies "add-step" or "remove-step-N"; returns undefined for any other action. */
export function editDraft(draft: StepsDraft, action: string): StepsDraft | undefined {
  if (action === 'add-step') return draft.steps.length >= MAX_DRAFT_STEPS ? draft : { ...draft, steps: [...draft.steps, []] };
  const m = /^remove-step-(\d{1,2})$/.exec(action);
  if (!m) return undefined;
  const removed = Number(m[1]);
  if (removed < 1 || removed > draft.steps.length || draft.steps.length === 1) return draft;
  const shift = (id: number) => (id === removed ? 1 : id > removed ? id - 1 : id);
  return { steps: draft.steps.filter((_, i) => i !== removed - 1), subjectStepId: shift(draft.subjectStepId), attributeStepId: shift(draft.attributeStepId) };
}

export function sequenceFromDraft(draft: StepsDraft): AuthenticationSequence {
  return { ...sequenceOf(draft.steps), subjectStepId: draft.subjectStepId, attributeStepId: draft.attributeStepId };
}

export interface StepChoice {
  name: string;
  label: string;
  checked: boolean;
  note: string;
}

/** What each step's fieldset offers: every enabled authenticator, plus any other one the draft names. */
export function stepsView(draft: StepsDraft, all: readonly Authenticator[]) {
  const enabled = all.filter((a) => a.enabled());
  return draft.steps.map((names, i) => {
    const choices: StepChoice[] = enabled.map((a) => ({ name: a.name, label: a.displayName, checked: names.includes(a.name), note: a.identifiesUser ? '' : 'needs a user from an earlier step' }));
    for (const name of names.filter((n) => !enabled.some((a) => a.name === n))) {
      const known = all.find((a) => a.name === name);
      choices.push({ name, label: known?.displayName ?? name, checked: true, note: known ? 'disabled in this deployment' : 'unknown authenticator' });
    }
    return { id: i + 1, choices, subject: draft.subjectStepId === i + 1, attribute: draft.attributeStepId === i + 1 };
  });
}
