import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ContainerBuilder,
  MediaGalleryBuilder,
  MediaGalleryItemBuilder,
  PermissionFlagsBits,
  TextDisplayBuilder,
  type ButtonInteraction,
  type MessageComponentInteraction,
} from 'discord.js';
import { fetchImage } from '../../fetch/imageFetcher.js';
import type { SearchHit } from '../../library/imageLibrary.js';
import type { BotContext } from '../botContext.js';
import { componentsMessage } from '../componentsMessage.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { messagesFor } from '../messages/messages.js';
import type { ResultGroup } from './hitSearch.js';
import { entriesText, fileNameOf, jumpLink, resultEntry } from './resultLine.js';
import { clippedText } from '../messages/clippedText.js';
import { customId, type ResultSession } from './resultSessions.js';

/**
 * Show #n: that one image large, with its line and jump link, privately; with a Share button
 * when the server lets members share results.
 */
export async function show(
  interaction: MessageComponentInteraction<'cached'>,
  context: BotContext,
  session: ResultSession,
  group: ResultGroup,
): Promise<void> {
  const messages = messagesFor(interaction.locale);
  const { visible, fresh } = await visibleNow(interaction, context, session, group);
  const number = session.groups.indexOf(group) + 1;
  const container = new ContainerBuilder()
    .addMediaGalleryComponents(
      new MediaGalleryBuilder().addItems(
        new MediaGalleryItemBuilder().setURL(fresh.url).setDescription(clippedText(fileNameOf(fresh.hit.image), 1024)),
      ),
    )
    .addTextDisplayComponents(new TextDisplayBuilder().setContent(entriesText([resultEntry(number, visible, session.kind, [], messages)])));
  const { sharing } = await context.guildState.settings.preferences(session.guildId);
  const share = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(customId(session, { kind: 'share', result: group.key }))
      .setLabel(messages.text('share.button'))
      .setStyle(ButtonStyle.Primary),
  );
  const reply = await interaction.editReply(componentsMessage(sharing ? [container, share] : [container]));
  if (sharing) context.resultSessions.bindShow(session, reply.id, group.key);
}

/**
 * Share: posts just that image and its jump link publicly in this channel, in the server's
 * language. Only while the server allows it, only where the member may post images themselves,
 * and only when everyone who can read this channel can read the image's channel (the access
 * module decides, at the press); otherwise the member is told why.
 */
export async function share(
  interaction: ButtonInteraction<'cached'>,
  context: BotContext,
  session: ResultSession,
  group: ResultGroup,
): Promise<void> {
  await interaction.deferUpdate();
  if (!(await context.guildState.settings.preferences(session.guildId)).sharing) throw new UserFacingError('share.off');
  const here = interaction.channel;
  // The bot posts as the interaction's follow-up, which Discord allows where the member may not post: it checks for them.
  const posting = here?.isThread() === true ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  if (here === null || !interaction.memberPermissions.has(posting | PermissionFlagsBits.AttachFiles))
    throw new UserFacingError('share.cannotPostHere');
  const { fresh } = await visibleNow(interaction, context, session, group);
  const { image } = fresh.hit;
  if (!(await context.access.mayShowPublicly(here, image.channelId))) {
    throw new UserFacingError('share.audienceDiffers', { channel: `<#${image.channelId}>` });
  }
  // Posted as a file: a link to Discord's CDN would stop working when its signature expires.
  const { bytes } = await fetchImage(fresh.url, context.cdnFetch);
  // Its end, when long: the extension is what Discord shows the file by.
  const name = fileNameOf(image)
    .replace(/[^\w.-]/g, '_')
    .slice(-100);
  const messages = messagesFor(interaction.guild.preferredLocale);
  const container = new ContainerBuilder()
    .addTextDisplayComponents(new TextDisplayBuilder().setContent(messages.text('share.sharedBy', { member: `<@${interaction.user.id}>` })))
    .addMediaGalleryComponents(new MediaGalleryBuilder().addItems(new MediaGalleryItemBuilder().setURL(`attachment://${name}`)))
    .addTextDisplayComponents(
      new TextDisplayBuilder().setContent(
        messages.text('share.source', {
          channel: `<#${image.channelId}>`,
          date: `<t:${Math.floor(image.createdAt / 1000)}:d>`,
          link: jumpLink(image),
        }),
      ),
    );
  await interaction.followUp({ ...componentsMessage([container]), files: [new AttachmentBuilder(Buffer.from(bytes), { name })] });
}

/**
 * The result as the member may see it now, and its best image at a URL that works now; a
 * UserFacingError when nothing of it is left to them.
 */
async function visibleNow(
  interaction: MessageComponentInteraction<'cached'>,
  context: BotContext,
  session: ResultSession,
  group: ResultGroup,
): Promise<{ visible: ResultGroup; fresh: { hit: SearchHit; url: string } }> {
  const [visible] = await context.hitSearch.recheck(interaction.member, { nsfwAllowed: session.nsfwAllowed }, [group]);
  const fresh = visible === undefined ? undefined : await context.resultPages.freshest(visible);
  if (visible === undefined || fresh === undefined) throw new UserFacingError('results.resultGone');
  return { visible, fresh };
}
