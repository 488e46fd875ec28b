import assert from 'node:assert/strict';
import { activityBarItem, openViewContainer, sideBarTitle, viewPane } from './workbench.mjs';

export const tests = {
  'the workbench loads and the Releases container opens': async ({ page, screenshot }) => {
    await activityBarItem(page, 'Releases').waitFor();
    await openViewContainer(page, 'Releases');
    assert.equal((await sideBarTitle(page).innerText()).trim().toLowerCase(), 'releases');
    await viewPane(page, 'Releases').waitFor();
    await viewPane(page, 'Environments').waitFor();
    await screenshot('releases-container');
  },
};
