/**
 * The reading list of the article's section 7 with checked citations, and what the project itself
 * runs on (notebook 07). `status` says whether the citation was found as cited.
 */

export type CitationStatus = 'correct' | 'corrected' | 'not found';

export interface Citation {
  /** What the article cites, in short. */
  readonly cited: string;
  /** The work as it exists: authors, title, venue, year. */
  readonly reference: string;
  readonly url: string | null;
  readonly status: CitationStatus;
  readonly note: string;
}

export const READING_LIST: readonly Citation[] = [
  {
    cited: 'textbook by Goodfellow et al.',
    reference: 'I. Goodfellow, Y. Bengio, A. Courville. Deep Learning. MIT Press, 2016.',
    url: 'https://www.deeplearningbook.org/',
    status: 'correct',
    note: 'Free online edition at the URL.',
  },
  {
    cited: 'NLP textbook by Jurafsky & Martin (under a translated title)',
    reference: 'D. Jurafsky, J. H. Martin. Speech and Language Processing. Prentice Hall, 2nd ed. 2008; 3rd ed. draft online.',
    url: 'https://web.stanford.edu/~jurafsky/slp3/',
    status: 'corrected',
    note: 'The English title is "Speech and Language Processing".',
  },
  {
    cited: 'TensorFlow (Google)',
    reference: 'M. Abadi et al. TensorFlow: A System for Large-Scale Machine Learning. OSDI 2016.',
    url: 'https://arxiv.org/abs/1605.08695',
    status: 'correct',
    note: 'This project uses its JavaScript sibling, TensorFlow.js (D. Smilkov et al., SysML 2019, https://arxiv.org/abs/1901.05350).',
  },
  {
    cited: 'PyTorch (Facebook)',
    reference: 'A. Paszke et al. PyTorch: An Imperative Style, High-Performance Deep Learning Library. NeurIPS 2019.',
    url: 'https://arxiv.org/abs/1912.01703',
    status: 'correct',
    note: 'Governed by the PyTorch Foundation (Linux Foundation) since 2022.',
  },
  {
    cited: 'the Transformer paper (Vaswani et al., 2017)',
    reference: 'A. Vaswani et al. Attention Is All You Need. NeurIPS 2017.',
    url: 'https://arxiv.org/abs/1706.03762',
    status: 'correct',
    note: 'Notebook 03 computes its scaled dot-product attention.',
  },
  {
    cited: '"Deep Learning on a GPU: Akshit, Akash, and Andrew\'s Approach" (Brendan et al., 2016)',
    reference: 'No such paper could be located: no match for this title, these authors and this year.',
    url: null,
    status: 'not found',
    note: 'For GPU training cite instead R. Raina, A. Madhavan, A. Y. Ng, ICML 2009, or S. Chetlur et al., cuDNN, https://arxiv.org/abs/1410.0759.',
  },
];
