import { ApiProperty } from '@nestjs/swagger';

import { PageOf } from '../common/pagination';
import { ORGANISATION_KINDS, ORGANISATION_STATUSES, type Organisation, type OrganisationKind, type OrganisationStatus } from './organisation.entity';

/** Response shapes of the organisations API (also its OpenAPI schemas). */

/** An organisation as the API answers it (the OpenAPI schema). */
export class OrganisationView implements Omit<Organisation, 'parent'> {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty({ example: 'Voces del Pueblo' }) name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind: OrganisationKind;
  @ApiProperty({ nullable: true, type: String, example: null }) parentId: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() country: string;
  @ApiProperty({ nullable: true, type: String }) region: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'https://vocesdelpueblo.pe' }) website: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'contacto@vocesdelpueblo.pe' }) contactEmail: string | null;
  @ApiProperty({ enum: ORGANISATION_STATUSES }) status: OrganisationStatus;
  @ApiProperty({ description: 'A counterpart outside the platform (no members here)' }) external: boolean;
  @ApiProperty({ type: [String], example: ['https://vocesdelpueblo.pe'], description: 'Sites allowed to show its public pages in an iframe (`?embed=1`); empty: none' })
  embedOrigins: string[];
  @ApiProperty({ nullable: true, type: Number, example: null, description: 'Text segments its events may send per calendar month (UTC); null: the service’s default' })
  textMonthlySegments: number | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export const OrganisationPage = PageOf(OrganisationView);

/** An organisation named inside another record (an endorsement, a partnership). */
export class OrganisationRef {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
}

export const organisationRef = (o: Pick<Organisation, 'id' | 'slug' | 'name' | 'shortName'>): OrganisationRef => ({ id: o.id, slug: o.slug, name: o.name, shortName: o.shortName });
