import { DefaultNamingStrategy, type NamingStrategyInterface, type Table } from 'typeorm';

/** PostgreSQL truncates identifiers past 63 bytes; keep ours unique and readable. */
const MAX_IDENTIFIER = 63;

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

function tableName(tableOrName: Table | string): string {
  const name = typeof tableOrName === 'string' ? tableOrName : tableOrName.name;
  // Drop a schema prefix ("public.members" -> "members").
  return name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
}

function identifier(prefix: string, table: string, columns: string[]): string {
  const full = [prefix, table, ...columns].join('_');
  return full.length <= MAX_IDENTIFIER ? full : full.slice(0, MAX_IDENTIFIER);
}

/**
 * snake_case tables and columns, and constraint names a person can read in an
 * error message or a migration: `pk_members`, `fk_memberships_member_id`,
 * `uq_organisations_slug`, `ix_members_region`.
 */
export class ConvocaNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override tableName(targetName: string, userSpecifiedName: string | undefined): string {
    return userSpecifiedName ?? snake(targetName);
  }

  override columnName(propertyName: string, customName: string | undefined, embeddedPrefixes: string[]): string {
    return snake([...embeddedPrefixes, customName ?? propertyName].join('_'));
  }

  override relationName(propertyName: string): string {
    return snake(propertyName);
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return snake(`${relationName}_${referencedColumnName}`);
  }

  override joinTableName(firstTableName: string, secondTableName: string): string {
    return snake(`${firstTableName}_${secondTableName}`);
  }

  override joinTableColumnName(tableName: string, propertyName: string, columnName?: string): string {
    return snake(`${tableName}_${columnName ?? propertyName}`);
  }

  override primaryKeyName(tableOrName: Table | string): string {
    return identifier('pk', tableName(tableOrName), []);
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return identifier('uq', tableName(tableOrName), columnNames);
  }

  override relationConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return identifier('rel', tableName(tableOrName), columnNames);
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return identifier('fk', tableName(tableOrName), columnNames);
  }

  override indexName(tableOrName: Table | string, columnNames: string[]): string {
    return identifier('ix', tableName(tableOrName), columnNames);
  }

  override defaultConstraintName(tableOrName: Table | string, columnName: string): string {
    return identifier('df', tableName(tableOrName), [columnName]);
  }
}
